"""'Forgot your password?': Cognito mails a code (ForgotPassword), the code and a new
password set it (ConfirmForgotPassword), and the person is signed in with it.

Every well-formed address gets the same answer in the same time: only the limit per IP
runs before the answer; the limit per account, the lookup and Cognito's call run in the
background. Codes go only to password accounts: an account made with a passkey (or an
email link) has no password to reset, and a code must not add one behind its passkeys.
A reset signs out every other session of the account, since the person may have lost
the old password to someone else, and mails a security notice.
"""

from __future__ import annotations

import re
from functools import partial

from sqlalchemy.engine import Engine

from passkey_app.services.accounts.passwordless import mark_password_known
from passkey_app.services.audit import AuditEventType, AuditTrail, ClientInfo
from passkey_app.services.background import Runner, run_now
from passkey_app.services.clock import Clock, system_clock
from passkey_app.services.cognito.gateway import (
    CREATED_BY_PASSKEY_ATTRIBUTE,
    CognitoGateway,
    NewPasswordChallenge,
    PasswordPolicy,
)
from passkey_app.services.errors import AuthError, AuthFailure
from passkey_app.services.identity import normalize_email
from passkey_app.services.mail.security import SecurityNotices, notify_password_changed
from passkey_app.services.password.policy import check_password
from passkey_app.services.rate_limit import take
from passkey_app.services.sessions.store import LoginSucceeded, SessionStore
from passkey_app.services.sign_in import SignInMethod, SignInStep, VerifiedByCognito
from passkey_app.services.throttle import PASSWORD_RESET_CODES_PER_ACCOUNT, Throttle

_CODE = re.compile(r"\d{6}")
ENDED_REASON = "password reset"


def clean_code(raw: str) -> str | None:
    """The six digits of a typed code (spaces and dashes people add are dropped), or None."""
    code = re.sub(r"[\s-]", "", raw[:32])
    return code if _CODE.fullmatch(code) else None


class PasswordReset:
    """Request a code, then set a new password with it and sign in."""

    def __init__(
        self,
        *,
        engine: Engine,
        gateway: CognitoGateway,
        sessions: SessionStore,
        notices: SecurityNotices | None = None,
        runner: Runner = run_now,
        clock: Clock = system_clock,
    ) -> None:
        self._engine = engine
        self._gateway = gateway
        self._sessions = sessions
        self._notices = notices
        self._runner = runner
        self._clock = clock
        self._audit = AuditTrail(engine, clock)
        self._throttle = Throttle(engine, clock)
        self._sign_in = SignInStep(gateway=gateway, sessions=sessions)

    def policy(self) -> PasswordPolicy:
        """The pool's password rules (read once from Cognito)."""
        return self._gateway.password_policy()

    def request_code(self, *, email: str, client: ClientInfo) -> None:
        """Accept a request for a code; the account-dependent work runs in the background,
        so the answer is the same for every address. AuthError INVALID_EMAIL, or THROTTLED
        (saying when) past the limit per IP."""
        normalized = normalize_email(email)
        if normalized is None:
            raise AuthError(AuthFailure.INVALID_EMAIL, "reset email rejected")
        try:
            self._throttle.reset_request(client)
        except AuthError:
            self._record(
                AuditEventType.PASSWORD_RESET_REQUEST, "throttled", normalized, "ip", client
            )
            raise
        self._runner(partial(self._send_code, normalized, client))

    def _send_code(self, email: str, client: ClientInfo) -> None:
        event = AuditEventType.PASSWORD_RESET_REQUEST
        if not take(
            self._engine, PASSWORD_RESET_CODES_PER_ACCOUNT, subject=email, now=self._clock()
        ):
            self._record(event, "throttled", email, "account", client)
            return
        try:
            user = self._gateway.find_user(email=email)
            if user is None or not user.enabled:
                self._record(event, "refused", email, "no account", client)
                return
            if user.attributes.get(f"custom:{CREATED_BY_PASSKEY_ATTRIBUTE}") == "true":
                self._record(event, "refused", email, "passkey account", client)
                return
            self._gateway.forgot_password(email=email, client=client)
        except AuthError as error:
            self._record(event, "failure", email, error.failure.value, client)
            return
        self._record(event, "success", email, "", client)

    def reset(
        self, *, email: str, code: str, new_password: str, client: ClientInfo
    ) -> LoginSucceeded:
        """Set ``new_password`` with the mailed ``code`` and sign the person in; end their
        other sessions and tell them by mail. PasswordRulesError before Cognito is asked;
        AuthError CODE_INVALID / CODE_EXPIRED / THROTTLED / INVALID_NEW_PASSWORD after."""
        normalized = normalize_email(email)
        digits = clean_code(code)
        if normalized is None or digits is None:
            self._record(
                AuditEventType.PASSWORD_RESET, "failure", normalized, "rejected input", client
            )
            raise AuthError(AuthFailure.CODE_INVALID, "input rejected")
        check_password(self.policy(), new_password)
        try:
            self._throttle.reset_code_attempt(
                email=normalized,
                client=client,
                attempt=lambda: self._gateway.confirm_forgot_password(
                    email=normalized, code=digits, new_password=new_password, client=client
                ),
            )
        except AuthError as error:
            failure = error.failure.value
            self._record(AuditEventType.PASSWORD_RESET, "failure", normalized, failure, client)
            raise
        self._record(AuditEventType.PASSWORD_RESET, "success", normalized, "", client)
        if self._notices is not None:
            notify_password_changed(self._notices, to=normalized, client=client)
        return self._sign_in_with(normalized, new_password, client)

    def _sign_in_with(self, email: str, password: str, client: ClientInfo) -> LoginSucceeded:
        """End every session the account had (the old password may be someone else's
        too), then open this one with the new password."""
        try:
            user = self._gateway.find_user(email=email)
            if user is not None:
                mark_password_known(self._engine, user_sub=user.sub)
                self._sessions.end_all(user_sub=user.sub, client=client, reason=ENDED_REASON)
            tokens = self._gateway.password_auth(email=email, password=password, client=client)
            if isinstance(tokens, NewPasswordChallenge):
                raise AuthError(AuthFailure.UNEXPECTED, "new password asked after a reset")
            login = self._sign_in.complete(
                factor=VerifiedByCognito(method=SignInMethod.PASSWORD, tokens=tokens),
                client=client,
                event_type=AuditEventType.LOGIN_PASSWORD,
                email=email,
            )
        except AuthError as error:
            self._record(
                AuditEventType.LOGIN_PASSWORD, "failure", email, error.failure.value, client
            )
            raise
        return login

    def _record(
        self,
        event: AuditEventType,
        outcome: str,
        email: str | None,
        detail: str,
        client: ClientInfo,
    ) -> None:
        self._audit.write(event, outcome, client, email=email, detail=detail)
