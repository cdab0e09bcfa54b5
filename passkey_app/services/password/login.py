"""Flow 1: an existing user signs in with the Cognito password they already have."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine

from passkey_app.services.audit import AuditEventType, AuditTrail, ClientInfo
from passkey_app.services.clock import Clock, system_clock
from passkey_app.services.cognito.gateway import (
    CognitoGateway,
    CognitoTokens,
    NewPasswordChallenge,
)
from passkey_app.services.errors import AuthError, AuthFailure
from passkey_app.services.identity import MAX_PASSWORD_LENGTH, normalize_email
from passkey_app.services.sessions.store import LoginSucceeded, SessionStore
from passkey_app.services.sign_in import SignInMethod, SignInStep, VerifiedByCognito
from passkey_app.services.throttle import Throttle


@dataclass(frozen=True)
class NewPasswordNeeded:
    """Cognito requires a new password first (an admin-created account)."""

    challenge: NewPasswordChallenge


class PasswordLogin:
    """Cognito password auth with SECRET_HASH, then a server-side session."""

    def __init__(
        self,
        *,
        engine: Engine,
        gateway: CognitoGateway,
        sessions: SessionStore,
        clock: Clock = system_clock,
    ) -> None:
        self._engine = engine
        self._gateway = gateway
        self._clock = clock
        self._audit = AuditTrail(engine, clock)
        self._throttle = Throttle(engine, clock)
        self._sign_in = SignInStep(gateway=gateway, sessions=sessions)

    def login(
        self, *, email: str, password: str, client: ClientInfo
    ) -> LoginSucceeded | NewPasswordNeeded:
        """Check the password; the same failure for an unknown email and a wrong password,
        and the same refusal once either has had too many wrong passwords."""
        normalized = normalize_email(email)
        if normalized is None or not password or len(password) > MAX_PASSWORD_LENGTH:
            self._audit.write(
                AuditEventType.LOGIN_PASSWORD,
                "failure",
                client,
                email=normalized,
                detail="rejected input",
            )
            raise AuthError(AuthFailure.INVALID_CREDENTIALS, "input rejected")
        try:
            result = self._throttle.password_attempt(
                email=normalized,
                client=client,
                attempt=lambda: self._gateway.password_auth(
                    email=normalized, password=password, client=client
                ),
            )
        except AuthError as error:
            self._audit.write(
                AuditEventType.LOGIN_PASSWORD,
                "failure",
                client,
                email=normalized,
                detail=error.failure.value,
            )
            raise
        if isinstance(result, NewPasswordChallenge):
            self._audit.write(
                AuditEventType.LOGIN_PASSWORD,
                "challenge",
                client,
                email=normalized,
                detail="new_password",
            )
            return NewPasswordNeeded(challenge=result)
        return self._start_session(result, normalized, client)

    def set_new_password(
        self,
        *,
        challenge: NewPasswordChallenge,
        email: str,
        new_password: str,
        client: ClientInfo,
    ) -> LoginSucceeded:
        """Answer NEW_PASSWORD_REQUIRED, then sign the person in."""
        if not new_password or len(new_password) > MAX_PASSWORD_LENGTH:
            raise AuthError(AuthFailure.INVALID_NEW_PASSWORD, "input rejected")
        try:
            tokens = self._gateway.set_new_password(
                challenge=challenge, new_password=new_password, client=client
            )
        except AuthError as error:
            self._audit.write(
                AuditEventType.PASSWORD_CHANGE,
                "failure",
                client,
                email=email,
                detail=error.failure.value,
            )
            raise
        return self._start_session(tokens, email, client)

    def _start_session(
        self, tokens: CognitoTokens, email: str, client: ClientInfo
    ) -> LoginSucceeded:
        try:
            return self._sign_in.complete(
                factor=VerifiedByCognito(method=SignInMethod.PASSWORD, tokens=tokens),
                client=client,
                event_type=AuditEventType.LOGIN_PASSWORD,
                email=email,
            )
        except AuthError as error:
            self._audit.write(
                AuditEventType.LOGIN_PASSWORD, "failure", client, email=email, detail=error.detail
            )
            raise
