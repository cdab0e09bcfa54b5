"""Going passwordless, decided by backup state.

A person whose passkeys include one that is backed up (the authenticator's BS flag: a
synced passkey, kept by a passkey provider across their devices) may remove their
password: Cognito's password becomes a random one nobody knows, and the account is
marked passwordless. A person whose passkeys are all device-bound is told to add a synced
one or keep the password: losing that one device would otherwise lock them out. Once
passwordless, the last synced passkey cannot be removed while no other synced one remains.

The mark is a column of our own ``webauthn_user`` row, not a Cognito custom attribute:
only this app reads it (the account page and the last-way-in rule, which already reads
``created_by_passkey`` from the same row); it must change in the same transaction as the
passkey checks it guards (the owner's row is locked for both); and a custom attribute
would need a schema change on every existing pool (custom attributes can never be
removed again) plus care that the app client cannot write it. The cost: a password set
outside the app (the console, another app client) leaves the mark in place, which errs
on the strict side (a passkey removal refused that could have been allowed); a password
reset in this app calls :func:`mark_password_known`.

Nothing on the sign-in page changes (that is on purpose, see docs/account-lifecycle.md):
the email step still leads every address without passkeys to the password step, where a
wrong password reads like any other and the email link is offered to everyone, so a
passwordless account looks exactly like an unknown address.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from passkey_app.db import session_scope
from passkey_app.models import PasskeyCredential, WebAuthnUser
from passkey_app.services.accounts.errors import AccountError, AccountFailure
from passkey_app.services.audit import AuditEventType, AuditTrail, ClientInfo
from passkey_app.services.clock import Clock, as_utc, system_clock
from passkey_app.services.cognito.gateway import CognitoGateway
from passkey_app.services.errors import AuthError, AuthFailure
from passkey_app.services.mail.security import SecurityNotices, notify_password_changed
from passkey_app.services.sessions.store import SignedInUser

RANDOM_PASSWORD_BYTES = 48
"""64 base64url characters (384 random bits), never stored, shown or logged."""
_POLICY_SUFFIX = "Aa1!"  # one of each class a pool's password policy may require

LAST_SYNCED_PASSKEY = (
    "This is your only synced passkey and your account has no password. Add another "
    "synced passkey before removing this one."
)


def unknowable_password() -> str:
    """A password nobody will ever know: what "no password" means to Cognito."""
    return secrets.token_urlsafe(RANDOM_PASSWORD_BYTES) + _POLICY_SUFFIX


def knows_password(owner: WebAuthnUser | None) -> bool:
    """Whether the person has a password of their own (no row: a password user who never
    touched passkeys)."""
    if owner is None:
        return True
    return not owner.created_by_passkey and owner.passwordless_since is None


def lock_owner(db: Session, user_sub: str) -> WebAuthnUser | None:
    """The person's WebAuthn row, locked until the caller's unit of work ends (PostgreSQL;
    SQLite serialises writers anyway), so a passkey removal and going passwordless cannot
    both pass their checks at once."""
    return db.exec(
        select(WebAuthnUser).where(WebAuthnUser.user_sub == user_sub).with_for_update()
    ).first()


def backup_states(db: Session, user_sub: str) -> dict[int, bool]:
    """Each of the person's passkeys (by row id) and whether it is backed up (BS)."""
    rows = db.exec(
        select(PasskeyCredential.id, PasskeyCredential.backup_state).where(
            col(PasskeyCredential.user_sub) == user_sub
        )
    ).all()
    return {int(row_id or 0): bool(backed_up) for row_id, backed_up in rows}


def removal_refusal(db: Session, *, owner: WebAuthnUser | None, passkey_id: int) -> str:
    """Why removing this passkey would leave the account without a safe way in ("" when it
    would not): never the last passkey of an account without a password, and never the
    last synced passkey of an account whose password was removed."""
    if owner is None:
        return ""
    states = backup_states(db, owner.user_sub)
    if not knows_password(owner) and len(states) <= 1:
        return "last passkey"
    others_backed_up = any(up for row_id, up in states.items() if row_id != passkey_id)
    if owner.passwordless_since is not None and states.get(passkey_id) and not others_backed_up:
        return "last synced passkey"
    return ""


def refusal_error(reason: str) -> AuthError:
    """The error a refused passkey removal raises, with its sentence."""
    if reason == "last synced passkey":
        return AuthError(AuthFailure.LAST_WAY_IN, reason, user_message=LAST_SYNCED_PASSKEY)
    return AuthError(AuthFailure.LAST_WAY_IN, reason)


def mark_password_known(engine: Engine, *, user_sub: str) -> None:
    """The person set a password of their own again (a reset): the account is no longer
    passwordless. For the password flows to call once Cognito has the new password."""
    with session_scope(engine) as db:
        owner = lock_owner(db, user_sub)
        if owner is not None and owner.passwordless_since is not None:
            owner.passwordless_since = None
            db.add(owner)


@dataclass(frozen=True)
class SignInMethods:
    """What the account page's "Sign-in methods" card shows."""

    has_password: bool
    passkeys: int
    synced_passkeys: int
    """Passkeys that are backed up (BS), the ones that survive losing a device."""
    passwordless_since: datetime | None

    @property
    def can_remove_password(self) -> bool:
        """A password to remove, and a synced passkey to rely on instead."""
        return self.has_password and self.synced_passkeys > 0


class Passwordless:
    """Reads the person's ways in, and removes the password when a synced passkey allows."""

    def __init__(
        self,
        *,
        engine: Engine,
        gateway: CognitoGateway,
        fresh_login: timedelta,
        clock: Clock = system_clock,
        notices: SecurityNotices | None = None,
    ) -> None:
        """``fresh_login`` is how old a sign-in may be for the change."""
        self._engine = engine
        self._gateway = gateway
        self._fresh_login = fresh_login
        self._clock = clock
        self._notices = notices
        self._audit = AuditTrail(engine, clock)

    def methods(self, *, user: SignedInUser) -> SignInMethods:
        """The person's password and passkeys, as far as going passwordless goes."""
        with session_scope(self._engine) as db:
            owner = db.get(WebAuthnUser, user.sub)
            states = backup_states(db, user.sub)
            since = owner.passwordless_since if owner is not None else None
            return SignInMethods(
                has_password=knows_password(owner),
                passkeys=len(states),
                synced_passkeys=sum(states.values()),
                passwordless_since=as_utc(since) if since else None,
            )

    def needs_reauthentication(self, *, user: SignedInUser) -> bool:
        """Removing the password needs a sign-in (or a confirmation) this recent."""
        return user.login_age(self._clock()) > self._fresh_login

    def remove_password(self, *, user: SignedInUser, client: ClientInfo) -> None:
        """Replace the password with a random one nobody keeps and mark the account
        passwordless; refused without a synced passkey (AccountError) or on an old
        sign-in (AuthError REAUTHENTICATION_REQUIRED), each audited."""
        if self.needs_reauthentication(user=user):
            self._record("refused", user, client, "login too old")
            raise AuthError(AuthFailure.REAUTHENTICATION_REQUIRED, "login too old")
        refusal: AccountFailure | None = None
        with session_scope(self._engine) as db:
            owner = lock_owner(db, user.sub)
            if not knows_password(owner):
                refusal = AccountFailure.ALREADY_PASSWORDLESS
            elif owner is None or not any(backup_states(db, user.sub).values()):
                refusal = AccountFailure.NO_SYNCED_PASSKEY
            else:
                # The mark first: while it is set the stricter passkey rules hold, which is
                # the safe side should the call to Cognito below fail.
                owner.passwordless_since = self._clock()
                db.add(owner)
        if refusal is not None:
            self._record("refused", user, client, refusal.value)
            raise AccountError(refusal)
        try:
            self._gateway.set_permanent_password(
                username=user.username, password=unknowable_password()
            )
        except AuthError as error:
            with session_scope(self._engine) as db:
                owner = lock_owner(db, user.sub)
                if owner is not None:
                    owner.passwordless_since = None
                    db.add(owner)
            self._record("failure", user, client, error.failure.value)
            raise
        self._record("success", user, client)
        if self._notices is not None:
            notify_password_changed(self._notices, to=user.email, client=client, removed=True)

    def _record(
        self, outcome: str, user: SignedInUser, client: ClientInfo, detail: str = ""
    ) -> None:
        self._audit.write(
            AuditEventType.PASSWORD_REMOVE,
            outcome,
            client,
            user_sub=user.sub,
            email=user.email,
            detail=detail,
        )
