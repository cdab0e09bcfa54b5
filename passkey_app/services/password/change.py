"""Changing the password from the account page.

The person is already signed in, so the change needs no current password: it needs a
sign-in (or a "Confirm it's you") younger than five minutes, checked when the change is
made, as for every account change. Cognito takes the new password through
AdminSetUserPassword. Only password accounts have one to change: an account made with a
passkey or an email link has a random password nobody knows, and this page does not add
one behind its passkeys. The owner is mailed a security notice, and may sign out every
other session at the same time.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine

from passkey_app.db import session_scope
from passkey_app.services.accounts.passwordless import mark_password_known
from passkey_app.services.audit import AuditEventType, AuditTrail, ClientInfo
from passkey_app.services.clock import Clock, system_clock
from passkey_app.services.cognito.gateway import CognitoGateway, PasswordPolicy
from passkey_app.services.errors import AuthError, AuthFailure, UserFacingError
from passkey_app.services.mail.security import SecurityNotices, notify_password_changed
from passkey_app.services.passkeys.account import FRESH_LOGIN
from passkey_app.services.password.policy import PasswordRulesError, check_password
from passkey_app.services.sessions.devices import SessionDevices
from passkey_app.services.sessions.store import SessionStore, SignedInUser
from passkey_app.services.webauthn import credential_store

NO_PASSWORD = "This account signs in with passkeys and has no password to change."  # noqa: S105


class NoPasswordError(UserFacingError):
    """The account was made with a passkey or an email link: it has no password."""

    @property
    def user_message(self) -> str:
        """The sentence to show."""
        return NO_PASSWORD


class PasswordChange:
    """The account page's "Change password"."""

    def __init__(
        self,
        *,
        engine: Engine,
        gateway: CognitoGateway,
        sessions: SessionStore,
        notices: SecurityNotices | None = None,
        clock: Clock = system_clock,
    ) -> None:
        self._engine = engine
        self._gateway = gateway
        self._devices = SessionDevices(sessions=sessions)
        self._notices = notices
        self._clock = clock
        self._audit = AuditTrail(engine, clock)

    def policy(self) -> PasswordPolicy:
        """The pool's password rules (read once from Cognito)."""
        return self._gateway.password_policy()

    def has_password(self, *, user: SignedInUser) -> bool:
        """Whether the person has a password of their own (they were not made by a
        passkey or an email-link sign-up)."""
        with session_scope(self._engine) as db:
            owner = credential_store.find_user(db, user.sub)
            return not (owner is not None and owner.created_by_passkey)

    def needs_reauthentication(self, *, user: SignedInUser) -> bool:
        """A change needs a sign-in (or a confirmation) younger than five minutes."""
        return user.login_age(self._clock()) > FRESH_LOGIN

    def change(
        self,
        *,
        user: SignedInUser,
        new_password: str,
        session_id: str,
        client: ClientInfo,
        end_other_sessions: bool = False,
    ) -> int:
        """Set ``new_password``; with ``end_other_sessions``, sign out every other session
        (not this one, ``session_id``). Return how many sessions ended.

        AuthError REAUTHENTICATION_REQUIRED for a sign-in too old, NoPasswordError for a
        passkey account, PasswordRulesError before Cognito is asked, and AuthError
        INVALID_NEW_PASSWORD (or BUSY, UNAVAILABLE) from Cognito."""
        if self.needs_reauthentication(user=user):
            self._record("refused", user, client, "login too old")
            raise AuthError(AuthFailure.REAUTHENTICATION_REQUIRED, "login too old")
        if not self.has_password(user=user):
            self._record("refused", user, client, "passkey account")
            raise NoPasswordError
        try:
            check_password(self.policy(), new_password)
        except PasswordRulesError:
            self._record("failure", user, client, "policy")
            raise
        try:
            self._gateway.set_permanent_password(username=user.username, password=new_password)
            mark_password_known(self._engine, user_sub=user.sub)
        except AuthError as error:
            self._record("failure", user, client, error.failure.value)
            raise
        self._record("success", user, client)
        ended = 0
        if end_other_sessions:
            ended = self._devices.end_others(user=user, session_id=session_id, client=client)
        if self._notices is not None:
            notify_password_changed(self._notices, to=user.email, client=client)
        return ended

    def _record(
        self, outcome: str, user: SignedInUser, client: ClientInfo, detail: str = ""
    ) -> None:
        self._audit.write(
            AuditEventType.PASSWORD_CHANGE,
            outcome,
            client,
            user_sub=user.sub,
            email=user.email,
            detail=detail,
        )
