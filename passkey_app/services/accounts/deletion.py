"""Delete my account: everything the app and Cognito hold about the person goes, except a
pseudonymous trace in the audit log.

The order protects the person and loses nothing that could still be wanted: the checks
(a fresh sign-in, the typed address, Cognito reachable) come first; then every session
ends with its refresh token revoked (so no token minted for the account outlives it);
then Cognito's AdminDeleteUser; then, in one transaction, the passkeys, the WebAuthn row,
sessions, sign-in links, challenges and known browsers are deleted and the audit rows
about the account are rewritten under a pseudonym. Should Cognito refuse the delete, the
person is signed out but the account is whole, and they can sign in and try again.

The pseudonym is an HMAC of the Cognito sub under a key derived from the active proof
key (its id is recorded with the deletion), so whoever holds the keys and a sub can still
tell whether, and when, that account was deleted; the log holds no email for it any more.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import and_, delete, or_, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from lambdas.proof import KeyRing
from passkey_app.db import session_scope
from passkey_app.models import (
    AuditEvent,
    BrowserSession,
    KnownBrowser,
    MagicLink,
    WebAuthnChallenge,
    WebAuthnUser,
)
from passkey_app.services.accounts.errors import AccountError, AccountFailure
from passkey_app.services.audit import AuditEventType, AuditTrail, ClientInfo, record_event
from passkey_app.services.clock import Clock, system_clock
from passkey_app.services.cognito.gateway import CognitoGateway, CognitoUser
from passkey_app.services.errors import AuthError, AuthFailure
from passkey_app.services.identity import normalize_email
from passkey_app.services.sessions.store import SessionStore, SignedInUser
from passkey_app.services.webauthn import credential_store

log = logging.getLogger(__name__)

PSEUDONYM_PREFIX = "deleted-"
_PSEUDONYM_CONTEXT = b"passkey-app audit pseudonym v1"


def pseudonym(key_ring: KeyRing, user_sub: str) -> str:
    """What the audit log calls a deleted account: "deleted-" and 128 bits of an HMAC of its
    sub, under a key of its own derived from the active proof key."""
    derived = hmac.new(
        key_ring.keys[key_ring.active_key_id], _PSEUDONYM_CONTEXT, hashlib.sha256
    ).digest()
    digest = hmac.new(derived, user_sub.encode(), hashlib.sha256).hexdigest()
    return PSEUDONYM_PREFIX + digest[:32]


@dataclass(frozen=True)
class DeletedAccount:
    """What was removed, and what the browser needs to forget the account's passkeys."""

    pseudonym: str
    user_handle: str | None
    """The WebAuthn user handle (base64url) the passkeys were made for, if any."""
    passkeys_removed: int
    sessions_ended: int


class AccountDeletion:
    """Deletes the signed-in person's account, once they have confirmed it twice."""

    def __init__(
        self,
        *,
        engine: Engine,
        gateway: CognitoGateway,
        sessions: SessionStore,
        key_ring: KeyRing,
        fresh_login: timedelta,
        clock: Clock = system_clock,
    ) -> None:
        """``fresh_login`` is how old a sign-in may be for the deletion."""
        self._engine = engine
        self._gateway = gateway
        self._sessions = sessions
        self._key_ring = key_ring
        self._fresh_login = fresh_login
        self._clock = clock
        self._audit = AuditTrail(engine, clock)

    def needs_reauthentication(self, *, user: SignedInUser) -> bool:
        """Deleting needs a sign-in (or a confirmation) this recent."""
        return user.login_age(self._clock()) > self._fresh_login

    def delete(
        self, *, user: SignedInUser, confirmation: str, client: ClientInfo
    ) -> DeletedAccount:
        """Delete the account after a fresh sign-in (AuthError REAUTHENTICATION_REQUIRED
        otherwise) and the person's own address typed as ``confirmation`` (AccountError
        CONFIRMATION_MISMATCH otherwise); nothing changes when either check fails."""
        if self.needs_reauthentication(user=user):
            self._refused(user, client, "login too old")
            raise AuthError(AuthFailure.REAUTHENTICATION_REQUIRED, "login too old")
        email = normalize_email(user.email) or user.email.lower()
        if normalize_email(confirmation[:512]) != email:
            self._refused(user, client, "confirmation mismatch")
            raise AccountError(AccountFailure.CONFIRMATION_MISMATCH)
        directory_user = self._directory_user(user, client)
        with session_scope(self._engine) as db:
            owner = credential_store.find_user(db, user.sub)
            handle = owner.user_handle if owner is not None else None
        ended = self._sessions.end_all(user_sub=user.sub, client=client, reason="account deleted")
        if directory_user is not None:
            try:
                self._gateway.delete_user(username=directory_user.username)
            except AuthError as error:
                raise self._not_deleted(user.sub, email, client, "cognito", error) from error
        name = pseudonym(self._key_ring, user.sub)
        with session_scope(self._engine) as db:
            removed = _erase(db, user_sub=user.sub, email=email, pseudonym=name)
            record_event(
                db,
                event_type=AuditEventType.ACCOUNT_DELETE,
                outcome="success",
                at=self._clock(),
                client=client,
                user_sub=name,
                detail=(
                    f"pseudonym key={self._key_ring.active_key_id} "
                    f"passkeys={removed} sessions={ended}"
                ),
            )
        log.info("an account was deleted by its owner")
        return DeletedAccount(
            pseudonym=name, user_handle=handle, passkeys_removed=removed, sessions_ended=ended
        )

    def _not_deleted(
        self, user_sub: str, email: str, client: ClientInfo, step: str, error: AuthError
    ) -> AccountError:
        """Audit a deletion Cognito refused at ``step``; the error to raise."""
        self._audit.write(
            AuditEventType.ACCOUNT_DELETE,
            "failure",
            client,
            user_sub=user_sub,
            email=email,
            detail=f"{step}: {error.failure.value}",
        )
        return AccountError(AccountFailure.NOT_DELETED, error.failure.value)

    def _directory_user(self, user: SignedInUser, client: ClientInfo) -> CognitoUser | None:
        """The Cognito user to delete; None when it is already gone (the rest still goes).
        Cognito unreachable: refused before anything changed."""
        try:
            found = self._gateway.find_user(email=user.username)
        except AuthError as error:
            raise self._not_deleted(user.sub, user.email, client, "lookup", error) from error
        if found is None or found.sub != user.sub:
            return None  # gone, or the name now belongs to someone else: leave them alone
        return found

    def _refused(self, user: SignedInUser, client: ClientInfo, detail: str) -> None:
        self._audit.write(
            AuditEventType.ACCOUNT_DELETE,
            "refused",
            client,
            user_sub=user.sub,
            email=user.email,
            detail=detail,
        )


def _erase(db: Session, *, user_sub: str, email: str, pseudonym: str) -> int:
    """Delete every row about the account and rewrite its audit trail under ``pseudonym``;
    return how many passkeys went."""
    db.execute(
        delete(MagicLink).where(
            or_(col(MagicLink.user_sub) == user_sub, col(MagicLink.email) == email)
        )
    )
    db.execute(
        delete(WebAuthnChallenge).where(
            or_(col(WebAuthnChallenge.user_sub) == user_sub, col(WebAuthnChallenge.email) == email)
        )
    )
    db.execute(delete(KnownBrowser).where(col(KnownBrowser.user_sub) == user_sub))
    db.execute(delete(BrowserSession).where(col(BrowserSession.user_sub) == user_sub))
    removed = credential_store.delete_all_passkeys(db, user_sub)
    db.execute(delete(WebAuthnUser).where(col(WebAuthnUser.user_sub) == user_sub))
    db.execute(
        update(AuditEvent)
        .where(
            or_(
                col(AuditEvent.user_sub) == user_sub,
                and_(col(AuditEvent.user_sub).is_(None), col(AuditEvent.email) == email),
            )
        )
        .values(user_sub=pseudonym, email=None)
    )
    db.execute(
        update(AuditEvent).where(col(AuditEvent.actor_sub) == user_sub).values(actor_sub=pseudonym)
    )
    return removed
