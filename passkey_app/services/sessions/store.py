"""Server-side browser sessions: the cookie is an opaque random id, tokens stay here.

A verified factor opens a *pending* row and yields a one-time handoff code; the
browser posts that code to a backend route, which activates the row under a fresh
session id (a new id at every login) and sets it as an HttpOnly cookie.

A session ends at its absolute lifetime, after an idle timeout, or when Cognito no
longer honours its refresh token (a global sign-out in the console, an admin action):
the refresh token is tried at least every ``revalidate_every``, so such a revocation
ends the session within that time.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, delete, insert, or_, update
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from passkey_app.db import session_scope
from passkey_app.models import (
    IP_ADDRESS_LENGTH,
    NOTICE_LENGTH,
    USER_AGENT_LENGTH,
    BrowserSession,
)
from passkey_app.services.audit import AuditEventType, ClientInfo, record_event
from passkey_app.services.clock import Clock, as_utc, system_clock
from passkey_app.services.cognito.gateway import CognitoGateway, CognitoTokens
from passkey_app.services.cognito.tokens import Identity, TokenInvalidError, TokenVerifier
from passkey_app.services.errors import AuthError, AuthFailure
from passkey_app.services.sessions.token_cipher import TokenCipher

log = logging.getLogger(__name__)

REFRESH_MARGIN = timedelta(seconds=30)
MAX_SESSION_ID_LENGTH = 128
# Activity is written at most this often, so a busy tab does not write on every event;
# the idle timeout is therefore exact to within this interval.
TOUCH_INTERVAL = timedelta(minutes=1)
DEFAULT_IDLE_TIMEOUT = timedelta(hours=12)
DEFAULT_REVALIDATION = timedelta(minutes=5)
NO_CLIENT = ClientInfo()  # work the server does on its own (expiry, a sweep)
_TRANSIENT = frozenset({AuthFailure.UNAVAILABLE, AuthFailure.BUSY})
_BEGIN = insert(BrowserSession.__table__)  # type: ignore[attr-defined]
"""A pending login's row (every sign-in: built once, a plain INSERT)."""


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@dataclass(frozen=True)
class SignInRecord:
    """The audit row of a successful sign-in, written with the session it opens (one
    transaction, not two); ``user_sub`` None means the session's own person."""

    event_type: AuditEventType
    email: str | None = None
    user_sub: str | None = None
    detail: str = ""


@dataclass(frozen=True)
class LoginSucceeded:
    """Tokens are stored; the browser exchanges ``handoff_code`` for its session cookie.

    ``binding`` is a second key to the same session for the server-side state of the
    tab that signed in, so that tab is signed in as soon as the cookie is set, without
    reloading the page (its websocket was opened before the cookie existed). It never
    leaves the server, and like the cookie it opens nothing until the code is
    exchanged, and nothing once the session has ended."""

    handoff_code: str
    user_sub: str
    email: str = ""
    """From the verified ID token: the audit row names the person even when the factor
    (a passkey) knew only the sub."""
    binding: str = ""


_SESSIONS = BrowserSession.__table__  # type: ignore[attr-defined]
_NAMED_BY = or_(
    _SESSIONS.c.token_hash == bindparam("digest"),
    and_(_SESSIONS.c.binding_hash == bindparam("digest"), _SESSIONS.c.token_hash.is_not(None)),
)
"""The row an active session's id (the cookie) or its binding names, by its ``digest``."""


_LOAD = select(BrowserSession).where(_NAMED_BY)
"""The session's row as every page and event that checks it reads it: built once, the
digest bound at each use."""
_TOUCH = update(_SESSIONS).where(_SESSIONS.c.id == bindparam("row"))
"""The session was used (its SET, last_seen_at, comes with the parameters)."""


@dataclass(frozen=True)
class SignIn:
    """A sign-in just opened a session: what the watch on new browsers is told."""

    user_sub: str
    email: str
    method: str
    client: ClientInfo
    at: datetime
    new_account: bool = False


AfterSignIn = Callable[[SignIn], None]


@dataclass(frozen=True)
class SignedInUser:
    """The person behind a valid session cookie."""

    sub: str
    username: str
    email: str
    groups: tuple[str, ...]
    auth_method: str
    authenticated_at: datetime
    session_created_at: datetime
    session_expires_at: datetime
    idle_expires_at: datetime
    notice: str = ""

    @property
    def is_admin(self) -> bool:
        """Member of the Cognito group ``admin``, per the verified ID token."""
        return "admin" in self.groups

    def login_age(self, now: datetime) -> timedelta:
        """How long ago the person proved who they are."""
        return now - self.authenticated_at


class SessionStore:
    """Creates, activates, resolves and ends browser sessions."""

    def __init__(
        self,
        *,
        engine: Engine,
        gateway: CognitoGateway,
        verifier: TokenVerifier,
        cipher: TokenCipher,
        lifetime: timedelta,
        handoff_lifetime: timedelta,
        idle_timeout: timedelta = DEFAULT_IDLE_TIMEOUT,
        revalidate_every: timedelta = DEFAULT_REVALIDATION,
        clock: Clock = system_clock,
        after_sign_in: AfterSignIn | None = None,
    ) -> None:
        """``after_sign_in`` hears of every session opened (the new-browser mails); it
        must return at once (its work goes to the background)."""
        self._engine = engine
        self._after_sign_in = after_sign_in
        self._gateway = gateway
        self._verifier = verifier
        self._cipher = cipher
        self._lifetime = lifetime
        self._handoff_lifetime = handoff_lifetime
        self._idle_timeout = idle_timeout
        self._revalidate_every = revalidate_every
        self._clock = clock

    @property
    def idle_timeout(self) -> timedelta:
        """How long a session may go unused before it ends."""
        return self._idle_timeout

    def begin(
        self,
        *,
        tokens: CognitoTokens,
        identity: Identity,
        method: str,
        client: ClientInfo,
        notice: str = "",
        record: SignInRecord | None = None,
        passkey_id: int | None = None,
        new_account: bool = False,
    ) -> tuple[str, str]:
        """Record a verified login as pending; return the one-time handoff code and the
        tab's binding (see ``LoginSucceeded``). ``notice`` is something the person is
        told on their account page for this session; ``record`` is audited in the same
        unit of work; ``passkey_id`` the passkey that signed in, if one did;
        ``new_account`` a sign-up."""
        now = self._clock()
        handoff_code, binding = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        row = {
            "handoff_hash": _digest(handoff_code),
            "binding_hash": _digest(binding),
            "handoff_expires_at": now + self._handoff_lifetime,
            "user_sub": identity.sub,
            "username": identity.username,
            "email": identity.email,
            "auth_method": method,
            "authenticated_at": now,
            "encrypted_tokens": self._cipher.seal(tokens),
            "access_expires_at": now + timedelta(seconds=tokens.expires_in),
            "created_at": now,
            "expires_at": now + self._lifetime,
            "last_seen_at": now,
            "revalidated_at": now,
            "ip_address": client.ip_address[:IP_ADDRESS_LENGTH],
            "user_agent": client.user_agent[:USER_AGENT_LENGTH],
            "notice": notice[:NOTICE_LENGTH],
            "passkey_id": passkey_id,
        }
        with session_scope(self._engine) as db:
            db.execute(_BEGIN, row)
            if record is not None:
                record_event(
                    db,
                    event_type=record.event_type,
                    outcome="success",
                    at=now,
                    client=client,
                    user_sub=record.user_sub or identity.sub,
                    email=record.email or identity.email,
                    detail=record.detail,
                )
        if self._after_sign_in is not None:
            self._after_sign_in(
                SignIn(
                    user_sub=identity.sub,
                    email=identity.email,
                    method=method,
                    client=client,
                    at=now,
                    new_account=new_account,
                )
            )
        return handoff_code, binding

    def open(
        self,
        *,
        tokens: CognitoTokens,
        method: str,
        client: ClientInfo,
        notice: str = "",
        record: SignInRecord | None = None,
        passkey_id: int | None = None,
        new_account: bool = False,
    ) -> LoginSucceeded:
        """Verify the fresh ID token, then record the login as pending (see ``begin``)."""
        try:
            identity = self._verifier.verify_id_token(tokens.id_token)
        except TokenInvalidError as error:
            raise AuthError(AuthFailure.UNEXPECTED, f"id token {error}") from error
        code, binding = self.begin(
            tokens=tokens,
            identity=identity,
            method=method,
            client=client,
            notice=notice,
            record=record,
            passkey_id=passkey_id,
            new_account=new_account,
        )
        return LoginSucceeded(
            handoff_code=code, user_sub=identity.sub, binding=binding, email=identity.email
        )

    def clear_notice(self, session_id: str) -> None:
        """The person has read the session's notice."""
        if not session_id or len(session_id) > MAX_SESSION_ID_LENGTH:
            return
        with session_scope(self._engine) as db:
            db.execute(
                update(_SESSIONS).where(_NAMED_BY).values(notice=""),
                {"digest": _digest(session_id)},
            )

    def confirm_presence(self, session_id: str) -> bool:
        """The person just proved who they are again: their login counts as fresh."""
        if not session_id or len(session_id) > MAX_SESSION_ID_LENGTH:
            return False
        with session_scope(self._engine) as db:
            result = db.execute(
                update(_SESSIONS).where(_NAMED_BY).values(authenticated_at=self._clock()),
                {"digest": _digest(session_id)},
            )
            return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    def activate(self, handoff_code: str, *, client: ClientInfo) -> str | None:
        """Exchange a handoff code (once, before it expires) for a new session id."""
        if not handoff_code or len(handoff_code) > MAX_SESSION_ID_LENGTH:
            return None
        now = self._clock()
        session_id = secrets.token_urlsafe(32)
        with session_scope(self._engine) as db:
            result = db.execute(
                update(BrowserSession)
                .where(BrowserSession.handoff_hash == _digest(handoff_code))  # type: ignore[arg-type]
                .where(BrowserSession.handoff_expires_at > now)  # type: ignore[arg-type,operator]
                .where(BrowserSession.token_hash.is_(None))  # type: ignore[union-attr]
                .values(
                    token_hash=_digest(session_id),
                    handoff_hash=None,
                    handoff_expires_at=None,
                    last_seen_at=now,
                )
            )
            if result.rowcount != 1:  # type: ignore[attr-defined]
                return None
            row = db.exec(
                select(BrowserSession).where(BrowserSession.token_hash == _digest(session_id))
            ).one()
            record_event(
                db,
                event_type=AuditEventType.SESSION_START,
                outcome="success",
                at=now,
                client=client,
                user_sub=row.user_sub,
                email=row.email,
                detail=f"method={row.auth_method}",
            )
        return session_id

    def _load(self, session_id: str) -> BrowserSession | None:
        if not session_id or len(session_id) > MAX_SESSION_ID_LENGTH:
            return None
        with session_scope(self._engine) as db:
            return db.exec(_LOAD, params={"digest": _digest(session_id)}).first()

    def current(self, session_id: str) -> SignedInUser | None:
        """The signed-in user, or None once the session has ended: past its lifetime, idle
        too long, or no longer honoured by Cognito (checked at least every
        ``revalidate_every``, which also refreshes a stale access token)."""
        live = self._live(session_id)
        return live[2] if live is not None else None

    def access_token(self, session_id: str, *, force_refresh: bool = False) -> str | None:
        """A Cognito access token for the team's own API calls on the person's behalf,
        refreshed when it is about to expire (or when ``force_refresh``, after an API
        answered 401). Server-side only: it never goes into a state var or a page."""
        live = self._live(session_id)
        if live is None:
            return None
        row, tokens, _ = live
        fresh: CognitoTokens | None = tokens
        if force_refresh:
            fresh = self._refresh(row, tokens, self._clock())
        return fresh.access_token if fresh is not None else None

    def _live(self, session_id: str) -> tuple[BrowserSession, CognitoTokens, SignedInUser] | None:
        """The session's row, its current tokens and its person, after every check of
        ``current``; None (and the row gone) once the session has ended."""
        row = self._load(session_id)
        now = self._clock()
        if row is None:
            return None
        if as_utc(row.expires_at) <= now:
            self._finish(row, reason="expired")
            return None
        last_seen = as_utc(row.last_seen_at)
        if last_seen + self._idle_timeout <= now:
            self._finish(row, reason="idle")
            return None
        tokens = self._cipher.open(row.encrypted_tokens)
        if tokens is None:
            self._delete(row.id)
            return None
        if self._revalidation_due(row, now):
            tokens = self._refresh(row, tokens, now)
            if tokens is None:
                return None
            last_seen = now
        elif now - last_seen >= TOUCH_INTERVAL:
            self._touch(row, now)
            last_seen = now
        try:
            identity = self._verifier.verify_id_token(tokens.id_token)
        except TokenInvalidError as error:
            log.info("session dropped: id token %s", error)
            self._delete(row.id)
            return None
        if identity.sub != row.user_sub:
            self._delete(row.id)
            return None
        user = SignedInUser(
            sub=identity.sub,
            username=row.username,
            email=identity.email or row.email,
            groups=identity.groups,
            auth_method=row.auth_method,
            authenticated_at=as_utc(row.authenticated_at),
            session_created_at=as_utc(row.created_at),
            session_expires_at=as_utc(row.expires_at),
            idle_expires_at=min(last_seen + self._idle_timeout, as_utc(row.expires_at)),
            notice=row.notice,
        )
        return row, tokens, user

    def _revalidation_due(self, row: BrowserSession, now: datetime) -> bool:
        if as_utc(row.access_expires_at) - REFRESH_MARGIN <= now:
            return True
        checked = row.revalidated_at
        return checked is None or as_utc(checked) + self._revalidate_every <= now

    def _touch(self, row: BrowserSession, now: datetime) -> None:
        with self._engine.begin() as connection:
            connection.execute(_TOUCH, {"row": row.id, "last_seen_at": now})

    def _refresh(
        self, row: BrowserSession, tokens: CognitoTokens, now: datetime
    ) -> CognitoTokens | None:
        if not tokens.refresh_token:
            self._delete(row.id)
            return None
        try:
            fresh = self._gateway.refresh(username=row.username, refresh_token=tokens.refresh_token)
        except AuthError as error:
            # Cognito unreachable or busy is not a revocation: keep the session for now,
            # unless its access token has run out (then nothing proves it is still valid).
            if error.failure in _TRANSIENT and as_utc(row.access_expires_at) > now:
                return tokens
            if error.failure is AuthFailure.BUSY:
                # Not signed in for this request, but the session stays for the next one.
                log.info("session not revalidated: Cognito busy")
                return None
            log.info("session ended: refresh refused (%s)", error.failure.value)
            self._delete(row.id, audit=(row, "revoked", NO_CLIENT))
            return None
        with session_scope(self._engine) as db:
            db.execute(
                update(BrowserSession)
                .where(BrowserSession.id == row.id)  # type: ignore[arg-type]
                .values(
                    encrypted_tokens=self._cipher.seal(fresh),
                    access_expires_at=now + timedelta(seconds=fresh.expires_in),
                    last_seen_at=now,
                    revalidated_at=now,
                )
            )
        return fresh

    def end(self, session_id: str, *, client: ClientInfo) -> bool:
        """Log out: revoke the refresh token at Cognito and delete the session."""
        row = self._load(session_id)
        if row is None:
            return False
        self._finish(row, reason="", client=client)
        return True

    def row_id(self, session_id: str) -> int | None:
        """The row of an active session id (to tell "this device" in a list), or None."""
        row = self._load(session_id)
        return row.id if row is not None else None

    def live_rows(self, user_sub: str) -> list[BrowserSession]:
        """One person's active sessions that have not run out, newest activity first.
        Rows whose time is up are left for their next use (or a sweep) to end."""
        now = self._clock()
        with session_scope(self._engine) as db:
            rows = db.exec(
                select(BrowserSession)
                .where(BrowserSession.user_sub == user_sub)
                .where(col(BrowserSession.token_hash).is_not(None))
                .where(col(BrowserSession.expires_at) > now)
                .where(col(BrowserSession.last_seen_at) > now - self._idle_timeout)
                .order_by(col(BrowserSession.last_seen_at).desc(), col(BrowserSession.id).desc())
            ).all()
        return list(rows)

    def end_rows(
        self,
        *,
        user_sub: str,
        row_ids: Collection[int],
        client: ClientInfo,
        reason: str,
    ) -> int:
        """End the sessions among ``row_ids`` that belong to ``user_sub`` (any other id is
        ignored), revoking their refresh tokens; return how many ended."""
        if not row_ids:
            return 0
        with session_scope(self._engine) as db:
            rows = list(
                db.exec(
                    select(BrowserSession)
                    .where(BrowserSession.user_sub == user_sub)
                    .where(col(BrowserSession.id).in_(list(row_ids)))
                ).all()
            )
        for row in rows:
            self._finish(row, reason=reason, client=client)
        return len(rows)

    def end_all(
        self,
        *,
        user_sub: str,
        client: ClientInfo,
        reason: str,
        created_before: datetime | None = None,
        actor_sub: str | None = None,
    ) -> int:
        """End every session of one person (those created before ``created_before`` when
        given), revoking their refresh tokens; return how many ended."""
        with session_scope(self._engine) as db:
            query = select(BrowserSession).where(BrowserSession.user_sub == user_sub)
            if created_before is not None:
                query = query.where(BrowserSession.created_at < created_before)
            rows = list(db.exec(query).all())
        for row in rows:
            self._finish(row, reason=reason, client=client, actor_sub=actor_sub)
        return len(rows)

    def _finish(
        self,
        row: BrowserSession,
        *,
        reason: str,
        client: ClientInfo = NO_CLIENT,
        actor_sub: str | None = None,
    ) -> None:
        """Revoke the row's refresh token (best effort), delete it, audit why."""
        tokens = self._cipher.open(row.encrypted_tokens)
        if tokens is not None and tokens.refresh_token:
            try:
                self._gateway.revoke(refresh_token=tokens.refresh_token)
            except AuthError as error:
                log.warning("token revocation failed: %s", error.failure.value)
        self._delete(row.id, audit=(row, reason, client), actor_sub=actor_sub)

    def _delete(
        self,
        row_id: int | None,
        *,
        audit: tuple[BrowserSession, str, ClientInfo] | None = None,
        actor_sub: str | None = None,
    ) -> None:
        with session_scope(self._engine) as db:
            db.execute(delete(BrowserSession).where(BrowserSession.id == row_id))  # type: ignore[arg-type]
            if audit is not None:
                row, reason, client = audit
                record_event(
                    db,
                    event_type=AuditEventType.SESSION_END,
                    outcome="success",
                    at=self._clock(),
                    client=client,
                    user_sub=row.user_sub,
                    email=row.email,
                    actor_sub=actor_sub,
                    detail=reason,
                )
