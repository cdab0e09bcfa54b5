"""Server-side browser sessions: the cookie is an opaque random id, tokens stay here.

A verified factor opens a *pending* row and yields a one-time handoff code; the
browser posts that code to a backend route, which activates the row under a fresh
session id (a new id at every login) and sets it as an HttpOnly cookie.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlalchemy.engine import Engine
from sqlmodel import select

from passkey_app.db import session_scope
from passkey_app.models import BrowserSession
from passkey_app.services.audit import ClientInfo, record_event
from passkey_app.services.clock import Clock, as_utc, system_clock
from passkey_app.services.cognito_gateway import CognitoGateway, CognitoTokens
from passkey_app.services.errors import AuthError, AuthFailure
from passkey_app.services.token_cipher import TokenCipher
from passkey_app.services.tokens import Identity, TokenInvalid, TokenVerifier

log = logging.getLogger(__name__)

REFRESH_MARGIN = timedelta(seconds=30)
MAX_SESSION_ID_LENGTH = 128


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@dataclass(frozen=True)
class LoginSucceeded:
    """Tokens are stored; the browser exchanges this code for its session cookie."""

    handoff_code: str
    user_sub: str


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
        clock: Clock = system_clock,
    ) -> None:
        self._engine = engine
        self._gateway = gateway
        self._verifier = verifier
        self._cipher = cipher
        self._lifetime = lifetime
        self._handoff_lifetime = handoff_lifetime
        self._clock = clock

    def begin(
        self, *, tokens: CognitoTokens, identity: Identity, method: str, client: ClientInfo
    ) -> str:
        """Record a verified login as pending; return the one-time handoff code."""
        now = self._clock()
        handoff_code = secrets.token_urlsafe(32)
        row = BrowserSession(
            handoff_hash=_digest(handoff_code),
            handoff_expires_at=now + self._handoff_lifetime,
            user_sub=identity.sub,
            username=identity.username,
            email=identity.email,
            auth_method=method,
            authenticated_at=now,
            encrypted_tokens=self._cipher.seal(tokens),
            access_expires_at=now + timedelta(seconds=tokens.expires_in),
            created_at=now,
            expires_at=now + self._lifetime,
            last_seen_at=now,
            ip_address=client.ip_address[:64],
            user_agent=client.user_agent[:512],
        )
        with session_scope(self._engine) as db:
            db.add(row)
        return handoff_code

    def open(self, *, tokens: CognitoTokens, method: str, client: ClientInfo) -> LoginSucceeded:
        """Verify the fresh ID token, then record the login as pending (see ``begin``)."""
        try:
            identity = self._verifier.verify_id_token(tokens.id_token)
        except TokenInvalid as error:
            raise AuthError(AuthFailure.UNEXPECTED, f"id token {error}") from error
        code = self.begin(tokens=tokens, identity=identity, method=method, client=client)
        return LoginSucceeded(handoff_code=code, user_sub=identity.sub)

    def confirm_presence(self, session_id: str) -> bool:
        """The person just proved who they are again: their login counts as fresh."""
        if not session_id or len(session_id) > MAX_SESSION_ID_LENGTH:
            return False
        with session_scope(self._engine) as db:
            result = db.execute(
                update(BrowserSession)
                .where(BrowserSession.token_hash == _digest(session_id))  # type: ignore[arg-type]
                .values(authenticated_at=self._clock())
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
                event_type="session.start",
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
            return db.exec(
                select(BrowserSession).where(BrowserSession.token_hash == _digest(session_id))
            ).first()

    def current(self, session_id: str) -> SignedInUser | None:
        """The signed-in user, refreshing Cognito tokens when the access token is stale."""
        row = self._load(session_id)
        now = self._clock()
        if row is None:
            return None
        if as_utc(row.expires_at) <= now:
            self._delete(row.id)
            return None
        tokens = self._cipher.open(row.encrypted_tokens)
        if tokens is None:
            self._delete(row.id)
            return None
        if as_utc(row.access_expires_at) - REFRESH_MARGIN <= now:
            tokens = self._refresh(row, tokens, now)
            if tokens is None:
                return None
        try:
            identity = self._verifier.verify_id_token(tokens.id_token)
        except TokenInvalid as error:
            log.info("session dropped: id token %s", error)
            self._delete(row.id)
            return None
        if identity.sub != row.user_sub:
            self._delete(row.id)
            return None
        return SignedInUser(
            sub=identity.sub,
            username=row.username,
            email=identity.email or row.email,
            groups=identity.groups,
            auth_method=row.auth_method,
            authenticated_at=as_utc(row.authenticated_at),
            session_created_at=as_utc(row.created_at),
            session_expires_at=as_utc(row.expires_at),
        )

    def _refresh(
        self, row: BrowserSession, tokens: CognitoTokens, now: datetime
    ) -> CognitoTokens | None:
        if not tokens.refresh_token:
            self._delete(row.id)
            return None
        try:
            fresh = self._gateway.refresh(username=row.username, refresh_token=tokens.refresh_token)
        except AuthError as error:
            log.info("session refresh failed: %s", error.failure.value)
            self._delete(row.id)
            return None
        with session_scope(self._engine) as db:
            db.execute(
                update(BrowserSession)
                .where(BrowserSession.id == row.id)  # type: ignore[arg-type]
                .values(
                    encrypted_tokens=self._cipher.seal(fresh),
                    access_expires_at=now + timedelta(seconds=fresh.expires_in),
                    last_seen_at=now,
                )
            )
        return fresh

    def end(self, session_id: str, *, client: ClientInfo) -> bool:
        """Log out: revoke the refresh token at Cognito and delete the session."""
        row = self._load(session_id)
        if row is None:
            return False
        tokens = self._cipher.open(row.encrypted_tokens)
        if tokens is not None and tokens.refresh_token:
            try:
                self._gateway.revoke(refresh_token=tokens.refresh_token)
            except AuthError as error:
                log.warning("token revocation failed: %s", error.failure.value)
        with session_scope(self._engine) as db:
            db.execute(delete(BrowserSession).where(BrowserSession.id == row.id))  # type: ignore[arg-type]
            record_event(
                db,
                event_type="session.end",
                outcome="success",
                at=self._clock(),
                client=client,
                user_sub=row.user_sub,
                email=row.email,
            )
        return True

    def _delete(self, row_id: int | None) -> None:
        with session_scope(self._engine) as db:
            db.execute(delete(BrowserSession).where(BrowserSession.id == row_id))  # type: ignore[arg-type]
