"""Flow 2: a new person signs up with a passkey and is signed in at once.

Sign-up is a saga. Its steps are: verify the new credential, create the Cognito user
(no welcome mail, a random permanent password nobody ever sees), store the passkey,
mint the Cognito session through CUSTOM_AUTH. When a step fails, the steps before it
are undone, so no half-made account is left behind. A step Cognito refused for its
request-rate quota is undone the same way and answered "busy, try again" (the person
may simply try again; nothing of the first try is left in the way).
"""

from __future__ import annotations

import base64
import logging
import secrets
from dataclasses import dataclass
from typing import NoReturn, Protocol

from sqlalchemy import delete
from sqlalchemy.engine import Engine

from lambdas.proof import KeyRing
from passkey_app.db import session_scope
from passkey_app.models import WebAuthnUser
from passkey_app.services.accounts.half_made import HalfMadeAccounts
from passkey_app.services.audit import AuditEventType, AuditTrail, ClientInfo, record_event
from passkey_app.services.clock import Clock, system_clock
from passkey_app.services.cognito.gateway import CognitoGateway, CognitoUser
from passkey_app.services.errors import AuthError, AuthFailure, CognitoBusyError
from passkey_app.services.identity import normalize_email
from passkey_app.services.passkeys.naming import default_passkey_name
from passkey_app.services.sessions.store import LoginSucceeded, SessionStore
from passkey_app.services.sign_in import SignInMethod, SignInStep, VerifiedByApp
from passkey_app.services.throttle import Throttle
from passkey_app.services.webauthn import credential_store
from passkey_app.services.webauthn.ceremonies import PasskeyCeremonies
from passkey_app.services.webauthn.errors import PasskeyRejectedError
from passkey_app.services.webauthn.results import CeremonyStart, NewPasskey

log = logging.getLogger(__name__)

RANDOM_PASSWORD_BYTES = 32
# Appended to the random part so any password policy's character classes are met;
# fixed characters add no strength and take none away.
_POLICY_SUFFIX = "Aa1!"


def random_password() -> str:
    """256 random bits, which nobody ever sees or types."""
    token = base64.urlsafe_b64encode(secrets.token_bytes(RANDOM_PASSWORD_BYTES)).decode()
    return token.rstrip("=") + _POLICY_SUFFIX


class Confirmations(Protocol):
    """Mails the "confirm your email" link of a provisional account."""

    def send_confirmation(self, *, email: str, user_sub: str, client: ClientInfo) -> None:
        """Send it (in the background: the sign-up answers at once)."""


@dataclass(frozen=True)
class SignupPolicy:
    """What the pool's owner decided about passkey sign-ups."""

    mark_email_verified: bool = False
    """True only if the address was checked upstream; otherwise the account is provisional
    until its mailbox is proven (services/provisional.py)."""


class PasskeySignup:
    """Begin and finish a passkey-first sign-up."""

    def __init__(
        self,
        *,
        engine: Engine,
        gateway: CognitoGateway,
        ceremonies: PasskeyCeremonies,
        sessions: SessionStore,
        key_ring: KeyRing,
        confirmations: Confirmations,
        policy: SignupPolicy = SignupPolicy(),
        clock: Clock = system_clock,
    ) -> None:
        self._engine = engine
        self._confirmations = confirmations
        self._gateway = gateway
        self._ceremonies = ceremonies
        self._policy = policy
        self._clock = clock
        self._audit = AuditTrail(engine, clock)
        self._throttle = Throttle(engine, clock)
        self._half_made = HalfMadeAccounts(engine=engine, gateway=gateway, clock=clock)
        self._sign_in = SignInStep(gateway=gateway, sessions=sessions, key_ring=key_ring)

    def begin(self, *, email: str, client: ClientInfo) -> CeremonyStart:
        """Registration options for a new account. Every valid email gets the same answer."""
        normalized = normalize_email(email)
        if normalized is None:
            raise AuthError(AuthFailure.INVALID_EMAIL, "signup email rejected")
        self._throttle.ceremony_start(client)
        return self._ceremonies.registration_options(
            user_handle=credential_store.new_user_handle(),
            user_name=normalized,
            display_name=normalized,
            user_sub=None,
            email=normalized,
            client_key=client.tab_key or None,
        )

    def finish(self, *, handle: str, response: object, client: ClientInfo) -> LoginSucceeded:
        """Verify the new passkey, create the account, sign the person in; undo on failure."""
        try:
            passkey = self._ceremonies.verify_registration(
                handle=handle, response=response, expected_user_sub=None
            )
        except PasskeyRejectedError as error:
            self._audit.write(
                AuditEventType.SIGNUP_PASSKEY, "failure", client, detail=error.reason.value
            )
            raise
        email = passkey.email or ""
        try:
            slot = self._throttle.signup(client)
        except AuthError:
            self._audit.write(
                AuditEventType.SIGNUP_PASSKEY, "throttled", client, email=email, detail="ip"
            )
            raise
        try:
            self._half_made.settle(email)
            attempt = self._half_made.start(email)
        except AuthError as error:
            slot.give_back()
            self._fail(error, client, email=email, detail=error.failure.value)
        try:
            user = self._gateway.create_passkey_user(
                email=email,
                password=random_password(),
                email_verified=self._policy.mark_email_verified,
            )
        except AuthError as error:
            slot.give_back()
            # Cognito may have made the user before its answer was lost: look again later.
            self._half_made.owe_undo(attempt)
            self._fail(error, client, email=email, detail=error.failure.value)
        self._half_made.created(attempt, user_sub=user.sub)
        try:
            result = self._complete(user, passkey, client)
        except Exception as error:
            slot.give_back()
            if self._undo(user, cognito_reachable=not _unreachable(error)):
                self._half_made.finished(attempt)
            else:
                self._half_made.owe_undo(attempt)
            detail = (
                error.reason.value
                if isinstance(error, PasskeyRejectedError)
                else type(error).__name__
            )
            self._fail(error, client, email=email, detail=f"undone: {detail}")
        self._half_made.finished(attempt)
        return result

    def _fail(self, error: Exception, client: ClientInfo, *, email: str, detail: str) -> NoReturn:
        """Audit a failed sign-up and raise the error to show. Cognito busy or unreachable
        is said as such (it does not depend on the address); anything else gets the one
        answer that never confirms an account exists."""
        self._audit.write(
            AuditEventType.SIGNUP_PASSKEY, "failure", client, email=email, detail=detail
        )
        if isinstance(error, AuthError) and (
            _unreachable(error)
            or isinstance(error, CognitoBusyError)
            or error.failure is AuthFailure.PASSKEY_ALREADY_REGISTERED
        ):
            raise error
        raise AuthError(AuthFailure.SIGNUP_NOT_COMPLETED, detail) from error

    def _complete(
        self, user: CognitoUser, passkey: NewPasskey, client: ClientInfo
    ) -> LoginSucceeded:
        now = self._clock()
        with session_scope(self._engine) as db:
            credential_store.ensure_user(
                db,
                user_sub=user.sub,
                username=user.username,
                user_handle=passkey.user_handle,
                created_by_passkey=True,
                email_unconfirmed=not self._policy.mark_email_verified,
                at=now,
            )
            row = credential_store.add_passkey(
                db,
                user_sub=user.sub,
                new=passkey,
                name=default_passkey_name(
                    passkey.aaguid, user_agent=client.user_agent, today=now.date()
                ),
                at=now,
            )
            passkey_id = row.id
            record_event(
                db,
                event_type=AuditEventType.PASSKEY_REGISTER,
                outcome="success",
                at=now,
                client=client,
                user_sub=user.sub,
                email=user.email,
                detail="signup",
            )
        result = self._sign_in.complete(
            factor=VerifiedByApp(
                method=SignInMethod.PASSKEY,
                username=user.username,
                user_sub=user.sub,
                credential_id=passkey.credential_id,
                passkey_id=passkey_id,
            ),
            client=client,
            event_type=AuditEventType.SIGNUP_PASSKEY,
            email=user.email,
            new_account=True,
        )
        if not self._policy.mark_email_verified:
            self._confirmations.send_confirmation(
                email=user.email, user_sub=user.sub, client=client
            )
        return result

    def _undo(self, user: CognitoUser, *, cognito_reachable: bool) -> bool:
        """Remove what the saga made: our rows (passkeys cascade), then the Cognito user;
        whether all of it is gone. When Cognito was just found unreachable, its user is
        left for HalfMadeAccounts to delete, so the person is not kept waiting on it."""
        try:
            with session_scope(self._engine) as db:
                db.execute(delete(WebAuthnUser).where(WebAuthnUser.user_sub == user.sub))  # type: ignore[arg-type]
        except Exception:
            log.exception("sign-up undo: could not remove the stored passkey")
        if not cognito_reachable:
            return False
        try:
            self._gateway.delete_user(username=user.username)
        except AuthError as error:
            log.error("sign-up undo: could not delete the Cognito user: %s", error.failure.value)
            return False
        return True


def _unreachable(error: Exception) -> bool:
    return isinstance(error, AuthError) and error.failure is AuthFailure.UNAVAILABLE
