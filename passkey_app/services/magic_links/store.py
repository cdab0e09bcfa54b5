"""Magic-link rows: issue (superseding older links), look up, consume once.

The token in the mail is 256 random bits; the table keeps only its SHA-256, so a
copy of the database cannot sign anyone in.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import ColumnElement, delete, update
from sqlmodel import Session, select

from passkey_app.models import MagicLink
from passkey_app.services.clock import as_utc

TOKEN_BYTES = 32
MAX_TOKEN_LENGTH = 128
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,128}$")


class LinkPurpose(StrEnum):
    """What redeeming the link does."""

    LOGIN = "login"
    SIGNUP = "signup"
    CONFIRM = "confirm"
    """Confirms the address of a provisional account (see services/provisional.py)."""
    INVITE = "invite"
    """An admin's invitation (services/accounts/invitations.py): signs in like LOGIN."""


class LinkProblem(StrEnum):
    """Why a link did not work (for the audit trail; people see one generic sentence)."""

    UNKNOWN = "unknown"
    USED = "used"
    SUPERSEDED = "superseded"
    EXPIRED = "expired"


@dataclass(frozen=True)
class IssuedLink:
    """A stored link: the token for the mail, the row's id for its sign-in code."""

    token: str
    link_id: int


def digest(value: str) -> str:
    """SHA-256 hex of a token or binding value: what the table stores."""
    return hashlib.sha256(value.encode()).hexdigest()


def new_secret() -> str:
    """A fresh token or binding value: 256 random bits, base64url."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def well_formed(token: str) -> bool:
    """Strict base64url of a sane length, before any database work."""
    return bool(_TOKEN.match(token))


def issue(
    db: Session,
    *,
    email: str,
    purpose: LinkPurpose,
    user_sub: str | None,
    binding: str,
    now: datetime,
    lifetime: timedelta,
) -> IssuedLink:
    """Supersede every live link of ``email`` and store a new one."""
    column = MagicLink.__table__.c  # type: ignore[attr-defined]
    db.execute(
        update(MagicLink)
        .where(column.email == email)
        .where(column.consumed_at.is_(None))
        .where(column.superseded_at.is_(None))
        .values(superseded_at=now)
    )
    token = new_secret()
    row = MagicLink(
        token_hash=digest(token),
        binding_hash=digest(binding) if binding else None,
        purpose=purpose.value,
        email=email,
        user_sub=user_sub,
        created_at=now,
        expires_at=now + lifetime,
    )
    db.add(row)
    db.flush()
    assert row.id is not None
    return IssuedLink(token=token, link_id=row.id)


def find(db: Session, token: str) -> MagicLink | None:
    """The row for ``token`` whatever its state, or None."""
    if not well_formed(token):
        return None
    return db.exec(select(MagicLink).where(MagicLink.token_hash == digest(token))).first()


def consume(db: Session, token: str, *, now: datetime) -> MagicLink | None:
    """Mark the link used, only if it is live: one conditional UPDATE, so a link that two
    browsers open at once still signs in only one of them."""
    if not well_formed(token):
        return None
    column = MagicLink.__table__.c  # type: ignore[attr-defined]
    return find(db, token) if _use_up(db, column.token_hash == digest(token), now) else None


def consume_id(db: Session, link_id: int, *, now: datetime) -> MagicLink | None:
    """``consume`` for the link a sign-in code stands for (its row, not its token)."""
    column = MagicLink.__table__.c  # type: ignore[attr-defined]
    return db.get(MagicLink, link_id) if _use_up(db, column.id == link_id, now) else None


def _use_up(db: Session, which: ColumnElement[bool], now: datetime) -> bool:
    """Mark the link ``which`` names used, if it is live (not used, replaced or expired);
    whether it was."""
    column = MagicLink.__table__.c  # type: ignore[attr-defined]
    result = db.execute(
        update(MagicLink)
        .where(which)
        .where(column.consumed_at.is_(None))
        .where(column.superseded_at.is_(None))
        .where(column.expires_at > now)
        .values(consumed_at=now)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def problem_with(row: MagicLink | None, *, now: datetime) -> LinkProblem | None:
    """Why ``row`` cannot be used now, or None when it can."""
    if row is None:
        return LinkProblem.UNKNOWN
    if row.consumed_at is not None:
        return LinkProblem.USED
    if row.superseded_at is not None:
        return LinkProblem.SUPERSEDED
    if as_utc(row.expires_at) <= now:
        return LinkProblem.EXPIRED
    return None


def bound_to(row: MagicLink, binding: str) -> bool:
    """Whether the browser holding ``binding`` is the one that asked for the link."""
    if not row.binding_hash or not binding or len(binding) > MAX_TOKEN_LENGTH:
        return False
    return secrets.compare_digest(row.binding_hash, digest(binding))


def prune(db: Session, *, expired_before: datetime) -> int:
    """Delete links that expired before ``expired_before``, used or not; return how many.
    Kept a while after expiry so a late click still reads "expired", not "unknown"."""
    column = MagicLink.__table__.c  # type: ignore[attr-defined]
    result = db.execute(delete(MagicLink).where(column.expires_at < expired_before))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
