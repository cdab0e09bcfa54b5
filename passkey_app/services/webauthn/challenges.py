"""Single-use WebAuthn challenges kept server-side, bound to a random browser-side handle.

The UI keeps the handle in its server-side state; the database keeps only its SHA-256,
the challenge bytes and who the ceremony is for. Consuming is one conditional UPDATE
(returning the row), so two concurrent attempts with the same handle cannot both
succeed. A browser tab holds at most a few live challenges: issuing one more evicts its
oldest.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from passkey_app.db import session_scope
from passkey_app.models import WebAuthnChallenge
from passkey_app.services.clock import Clock, as_utc, system_clock
from passkey_app.services.throttle import LIVE_CHALLENGES_PER_TAB

CHALLENGE_BYTES = 32
MAX_HANDLE_LENGTH = 128


class ChallengePurpose(StrEnum):
    """Which ceremony a challenge was issued for; one can never serve the other."""

    REGISTER = "register"
    AUTHENTICATE = "authenticate"


@dataclass(frozen=True)
class IssuedChallenge:
    """A fresh challenge: the handle goes to the UI state, the bytes into the options."""

    handle: str
    challenge: bytes


@dataclass(frozen=True)
class StoredChallenge:
    """A challenge that has just been consumed, with what it was bound to."""

    purpose: ChallengePurpose
    challenge: bytes
    user_sub: str | None
    user_handle: str | None
    email: str | None
    created_at: datetime
    expires_at: datetime


def _digest(handle: str) -> str:
    return hashlib.sha256(handle.encode()).hexdigest()


PURGE_INTERVAL = timedelta(minutes=1)

# The hot path's statements, built once (a sign-in runs each of them).
_TABLE = WebAuthnChallenge.__table__  # type: ignore[attr-defined]
_ISSUE = insert(_TABLE)
_CONSUME = (
    update(_TABLE)
    .where(_TABLE.c.handle_hash == bindparam("digest"))
    .where(_TABLE.c.consumed_at.is_(None))
    .where(_TABLE.c.expires_at > bindparam("now"))
    .where(_TABLE.c.purpose == bindparam("for_purpose"))
    .values(consumed_at=bindparam("used_at"))
    .returning(
        _TABLE.c.purpose,
        _TABLE.c.challenge,
        _TABLE.c.user_sub,
        _TABLE.c.user_handle,
        _TABLE.c.email,
        _TABLE.c.created_at,
        _TABLE.c.expires_at,
    )
)
"""Use up a challenge and read it back in one statement (UPDATE ... RETURNING)."""
_EVICT = delete(_TABLE).where(
    _TABLE.c.id.in_(
        select(_TABLE.c.id)
        .where(_TABLE.c.client_key == bindparam("client_key"))
        .where(_TABLE.c.consumed_at.is_(None))
        .where(_TABLE.c.expires_at > bindparam("now"))
        .order_by(_TABLE.c.id.desc())
        .offset(bindparam("keep"))
        .scalar_subquery()
    )
)
"""Delete a tab's live challenges older than its newest ``keep``."""


class ChallengeStore:
    """Issues, consumes (once, before expiry) and purges WebAuthn challenges."""

    def __init__(
        self,
        engine: Engine,
        *,
        clock: Clock = system_clock,
        lifetime: timedelta = timedelta(minutes=5),
        live_per_tab: int = LIVE_CHALLENGES_PER_TAB,
    ) -> None:
        self._engine = engine
        self._clock = clock
        self.lifetime = lifetime
        self.live_per_tab = live_per_tab
        self._last_purge: datetime | None = None

    def issue(
        self,
        *,
        purpose: ChallengePurpose,
        user_sub: str | None = None,
        user_handle: str | None = None,
        email: str | None = None,
        client_key: str | None = None,
    ) -> IssuedChallenge:
        """Store a new random challenge for ``purpose``; return it with its handle.
        Expired challenges are swept away here too, at most once a minute.

        With ``client_key`` (the asking tab), the tab keeps only its newest
        ``live_per_tab`` live challenges: older ones are deleted. Evicting rather than
        refusing, because a page replaces the handles it holds without using them (the
        account page prepares a new registration after every change; a cancelled autofill
        leaves its challenge behind), so a refusal would break a page in normal use, while
        the newest few are all a page ever holds at once: the sign-in page holds three (the
        button, autofill and the email step's), the account page two (add, confirm).
        Refusals come from the start limits (services.throttle) instead."""
        now = self._clock()
        if self._last_purge is None or now - self._last_purge >= PURGE_INTERVAL:
            self._last_purge = now
            self.purge_expired()
        issued = IssuedChallenge(
            handle=secrets.token_urlsafe(32), challenge=secrets.token_bytes(CHALLENGE_BYTES)
        )
        with self._engine.begin() as connection:
            connection.execute(
                _ISSUE,
                {
                    "handle_hash": _digest(issued.handle),
                    "purpose": ChallengePurpose(purpose).value,
                    "challenge": issued.challenge,
                    "user_sub": user_sub,
                    "user_handle": user_handle,
                    "email": email,
                    "created_at": now,
                    "expires_at": now + self.lifetime,
                    "client_key": client_key,
                },
            )
        if client_key:
            # After the new row is committed, so of concurrent issues the last sees all.
            with self._engine.begin() as connection:
                connection.execute(
                    _EVICT, {"client_key": client_key, "now": now, "keep": self.live_per_tab}
                )
        return issued

    def consume(self, *, handle: str, purpose: ChallengePurpose) -> StoredChallenge | None:
        """Use up the challenge behind ``handle``; None when unknown, used, expired or for
        another purpose. Only the first of concurrent callers gets it."""
        with session_scope(self._engine) as db:
            return self.consume_in(db, handle=handle, purpose=purpose)

    def consume_in(
        self, db: Session, *, handle: str, purpose: ChallengePurpose
    ) -> StoredChallenge | None:
        """``consume`` in the caller's unit of work, which must commit it even when what
        follows fails (a challenge is used up by any answer, right or wrong)."""
        if not isinstance(handle, str) or not handle or len(handle) > MAX_HANDLE_LENGTH:
            return None
        now = self._clock()
        row = db.execute(
            _CONSUME,
            {
                "digest": _digest(handle),
                "for_purpose": ChallengePurpose(purpose).value,
                "now": now,
                "used_at": now,
            },
        ).first()
        if row is None:
            return None
        return StoredChallenge(
            purpose=ChallengePurpose(row.purpose),
            challenge=row.challenge,
            user_sub=row.user_sub,
            user_handle=row.user_handle,
            email=row.email,
            created_at=as_utc(row.created_at),
            expires_at=as_utc(row.expires_at),
        )

    def purge_expired(self) -> int:
        """Delete challenges past their expiry (used or not); return how many."""
        with session_scope(self._engine) as db:
            result = db.execute(
                delete(WebAuthnChallenge).where(
                    WebAuthnChallenge.expires_at <= self._clock()  # type: ignore[arg-type]
                )
            )
            return int(result.rowcount)  # type: ignore[attr-defined]
