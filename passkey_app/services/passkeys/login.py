"""Flow 4: a returning person signs in with a passkey (email first, usernameless, autofill).

The app verifies the assertion itself, then mints the Cognito session through
CUSTOM_AUTH with a signed proof naming the credential; tokens stay on the server.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine

from lambdas.proof import KeyRing
from passkey_app.db import session_scope
from passkey_app.services.audit import AuditEventType, AuditTrail, ClientInfo
from passkey_app.services.clock import Clock, system_clock
from passkey_app.services.cognito.gateway import CognitoGateway
from passkey_app.services.errors import AuthError, AuthFailure
from passkey_app.services.identity import normalize_email
from passkey_app.services.sessions.store import LoginSucceeded, SessionStore
from passkey_app.services.sign_in import SignInMethod, SignInStep, VerifiedByApp
from passkey_app.services.throttle import Throttle
from passkey_app.services.webauthn import credential_store
from passkey_app.services.webauthn.ceremonies import PasskeyCeremonies
from passkey_app.services.webauthn.errors import PasskeyRejectedError
from passkey_app.services.webauthn.results import CeremonyStart


@dataclass(frozen=True)
class PasskeyStep:
    """The account has passkeys: run the ceremony with these options."""

    ceremony: CeremonyStart
    password_fallback: bool


@dataclass(frozen=True)
class PasswordStep:
    """Ask for a password. Unknown emails get this too, so they look like password users."""


class PasskeyLogin:
    """Options for each way of signing in with a passkey, and the finish they share."""

    def __init__(
        self,
        *,
        engine: Engine,
        gateway: CognitoGateway,
        ceremonies: PasskeyCeremonies,
        sessions: SessionStore,
        key_ring: KeyRing,
        clock: Clock = system_clock,
    ) -> None:
        self._engine = engine
        self._gateway = gateway
        self._ceremonies = ceremonies
        self._clock = clock
        self._audit = AuditTrail(engine, clock)
        self._throttle = Throttle(engine, clock)
        self._sign_in = SignInStep(gateway=gateway, sessions=sessions, key_ring=key_ring)

    def step_for_email(self, *, email: str, client: ClientInfo) -> PasskeyStep | PasswordStep:
        """What the email-first form shows next for this address. Every address counts as
        a ceremony start, before the lookup, so a refusal cannot tell who has passkeys.

        Every path does the same work (the directory lookup, the same two queries, a
        challenge issued and options built), so the answer takes the same time whether
        it leads to the passkey step or to the password step; the password step simply
        drops its challenge, which expires unused."""
        normalized = normalize_email(email)
        if normalized is None:
            raise AuthError(AuthFailure.INVALID_EMAIL, "login email rejected")
        self._throttle.ceremony_start(client)
        user = self._gateway.find_user(email=normalized)
        sub = user.sub if user is not None and user.enabled else ""
        with session_scope(self._engine) as db:
            owner = credential_store.find_user(db, sub)
            credential_ids = credential_store.credential_ids(db, sub)
        passkey_step = owner is not None and bool(credential_ids)
        ceremony = self._ceremonies.authentication_options(
            user_sub=sub if passkey_step else None,
            allow_credential_ids=credential_ids,
            client_key=client.tab_key or None,
        )
        if owner is None or not passkey_step:
            return PasswordStep()
        return PasskeyStep(ceremony=ceremony, password_fallback=not owner.created_by_passkey)

    def discoverable_options(self, *, client: ClientInfo) -> CeremonyStart:
        """Options for "Sign in with a passkey" and for autofill: no user named yet."""
        self._throttle.ceremony_start(client)
        return self._ceremonies.authentication_options(
            user_sub=None, allow_credential_ids=(), client_key=client.tab_key or None
        )

    def finish(self, *, handle: str, response: object, client: ClientInfo) -> LoginSucceeded:
        """Verify the assertion, mint the Cognito session, open the browser session."""
        try:
            verified = self._ceremonies.verify_authentication(handle=handle, response=response)
        except PasskeyRejectedError as error:
            self._audit.write(
                AuditEventType.LOGIN_PASSKEY,
                "failure",
                client,
                user_sub=error.user_sub,
                detail=error.reason.value,
            )
            raise
        try:
            return self._sign_in.complete(
                factor=VerifiedByApp(
                    method=SignInMethod.PASSKEY,
                    username=verified.username,
                    user_sub=verified.user_sub,
                    credential_id=verified.credential_id,
                    passkey_id=verified.passkey_id,
                ),
                client=client,
                event_type=AuditEventType.LOGIN_PASSKEY,
                detail=f"passkey={verified.passkey_id}",
            )
        except AuthError as error:
            self._audit.write(
                AuditEventType.LOGIN_PASSKEY,
                "failure",
                client,
                user_sub=verified.user_sub,
                detail=f"cognito {error.failure.value}",
            )
            raise
