"""The two WebAuthn ceremonies: options out, responses verified in.

A challenge is consumed before anything else is looked at, so any attempt (good or
bad) uses it up. Every refusal is a PasskeyRejectedError with one precise reason, which is
logged (the reason only: never a challenge, signature or key).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from sqlalchemy.engine import Engine
from sqlmodel import Session
from webauthn import generate_authentication_options, generate_registration_options
from webauthn.helpers import options_to_json_dict
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AttestationConveyancePreference,
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from passkey_app.db import session_scope
from passkey_app.services.clock import Clock, system_clock
from passkey_app.services.webauthn import credential_store
from passkey_app.services.webauthn.authentication import (
    check_owner,
    read_assertion,
    verify_with_stored_key,
)
from passkey_app.services.webauthn.challenges import ChallengePurpose, ChallengeStore
from passkey_app.services.webauthn.encoding import b64url_decode
from passkey_app.services.webauthn.errors import PasskeyRejectedError, RejectReason
from passkey_app.services.webauthn.registration import verify_new_credential
from passkey_app.services.webauthn.relying_party import RelyingParty
from passkey_app.services.webauthn.results import CeremonyStart, NewPasskey, VerifiedLogin

log = logging.getLogger(__name__)

TIMEOUT_MS = 300_000
SUSPICIOUS = frozenset({RejectReason.COUNTER_REGRESSION, RejectReason.BACKUP_STATE_CHANGED})


@contextmanager
def _refusals(ceremony: str) -> Iterator[None]:
    """Turn anything bad input can raise into PasskeyRejectedError, and log the reason."""
    try:
        try:
            yield
        except WebAuthnException:
            raise PasskeyRejectedError(RejectReason.VERIFICATION_FAILED) from None
        except (ValueError, LookupError, TypeError):
            raise PasskeyRejectedError(RejectReason.MALFORMED) from None
    except PasskeyRejectedError as rejected:
        level = logging.WARNING if rejected.reason in SUSPICIOUS else logging.INFO
        log.log(level, "passkey %s rejected: %s", ceremony, rejected.reason.value)
        raise


def _descriptors(credential_ids: Sequence[str]) -> list[PublicKeyCredentialDescriptor]:
    return [PublicKeyCredentialDescriptor(id=b64url_decode(c)) for c in credential_ids]


class PasskeyCeremonies:
    """Registration and authentication for one relying party."""

    def __init__(
        self,
        *,
        engine: Engine,
        rp: RelyingParty,
        challenges: ChallengeStore,
        clock: Clock = system_clock,
    ) -> None:
        self._engine = engine
        self._rp = rp
        self._challenges = challenges
        self._clock = clock

    def registration_options(
        self,
        *,
        user_handle: str,
        user_name: str,
        display_name: str,
        user_sub: str | None,
        email: str | None,
        exclude_credential_ids: Sequence[str] = (),
        client_key: str | None = None,
    ) -> CeremonyStart:
        """Options for ``navigator.credentials.create()``: a discoverable, user-verified
        passkey with no attestation. ``user_handle`` is the user's base64url WebAuthn handle
        (stored later by ensure_user); ``user_sub`` is None during sign-up; ``client_key``
        is the asking tab's key (its live challenges are capped). Ids that are not
        base64url are a ValueError (a caller's bug, not bad input)."""
        user_id = b64url_decode(user_handle)
        exclude = _descriptors(exclude_credential_ids)
        issued = self._challenges.issue(
            purpose=ChallengePurpose.REGISTER,
            user_sub=user_sub,
            user_handle=user_handle,
            email=email,
            client_key=client_key,
        )
        options = generate_registration_options(
            rp_id=self._rp.rp_id,
            rp_name=self._rp.rp_name,
            user_id=user_id,
            user_name=user_name,
            user_display_name=display_name,
            challenge=issued.challenge,
            timeout=TIMEOUT_MS,
            attestation=AttestationConveyancePreference.NONE,
            authenticator_selection=AuthenticatorSelectionCriteria(
                resident_key=ResidentKeyRequirement.REQUIRED,
                user_verification=UserVerificationRequirement.REQUIRED,
            ),
            exclude_credentials=exclude,
            supported_pub_key_algs=list(self._rp.algorithms),
        )
        return CeremonyStart(handle=issued.handle, options=options_to_json_dict(options))

    def verify_registration(
        self, *, handle: str, response: object, expected_user_sub: str | None
    ) -> NewPasskey:
        """Verify what ``credential.toJSON()`` gave after ``create()``. Stores nothing:
        the caller adds the passkey (credential_store.add_passkey) in its own unit of work.
        ``expected_user_sub`` is the signed-in user, or None during sign-up."""
        with _refusals("registration"):
            challenge = self._challenges.consume(handle=handle, purpose=ChallengePurpose.REGISTER)
            if (
                challenge is None
                or challenge.user_sub != expected_user_sub
                or challenge.user_handle is None
            ):
                raise PasskeyRejectedError(RejectReason.CHALLENGE_INVALID)
            return verify_new_credential(
                response=response,
                challenge=challenge,
                user_handle=challenge.user_handle,
                rp=self._rp,
            )

    def authentication_options(
        self,
        *,
        user_sub: str | None,
        allow_credential_ids: Sequence[str] = (),
        client_key: str | None = None,
    ) -> CeremonyStart:
        """Options for ``navigator.credentials.get()``. With no user (and an empty allow
        list) any discoverable passkey may answer: usernameless login and autofill."""
        allow = _descriptors(allow_credential_ids)
        issued = self._challenges.issue(
            purpose=ChallengePurpose.AUTHENTICATE, user_sub=user_sub, client_key=client_key
        )
        options = generate_authentication_options(
            rp_id=self._rp.rp_id,
            challenge=issued.challenge,
            timeout=TIMEOUT_MS,
            allow_credentials=allow,
            user_verification=UserVerificationRequirement.REQUIRED,
        )
        return CeremonyStart(handle=issued.handle, options=options_to_json_dict(options))

    def verify_authentication(self, *, handle: str, response: object) -> VerifiedLogin:
        """Verify what ``credential.toJSON()`` gave after ``get()``, then save the new
        counter, backup state and last use with one conditional UPDATE. The challenge's
        consumption and that UPDATE are one transaction; a rejected answer still commits
        the consumption (a challenge is good for one answer, right or wrong)."""
        with session_scope(self._engine) as db:
            try:
                with _refusals("authentication"):
                    return self._verify_authentication(db, handle=handle, response=response)
            except PasskeyRejectedError:
                db.commit()
                raise

    def _verify_authentication(
        self, db: Session, *, handle: str, response: object
    ) -> VerifiedLogin:
        challenge = self._challenges.consume_in(
            db, handle=handle, purpose=ChallengePurpose.AUTHENTICATE
        )
        if challenge is None:
            raise PasskeyRejectedError(RejectReason.CHALLENGE_INVALID)
        assertion = read_assertion(response=response, challenge=challenge, rp=self._rp)
        found = credential_store.find_credential(db, assertion.credential_id)
        if found is None:
            raise PasskeyRejectedError(RejectReason.UNKNOWN_CREDENTIAL)
        passkey, owner = found
        try:
            check_owner(assertion, challenge=challenge, credential=passkey, owner=owner)
            verify_with_stored_key(assertion, challenge=challenge, credential=passkey, rp=self._rp)
            assert passkey.id is not None
            saved = credential_store.record_use(
                db,
                passkey_id=passkey.id,
                seen_sign_count=passkey.sign_count,
                sign_count=assertion.auth_data.sign_count,
                backup_state=assertion.auth_data.flags.bs,
                at=self._clock(),
            )
            if not saved:
                raise PasskeyRejectedError(RejectReason.COUNTER_REGRESSION)
        except PasskeyRejectedError as rejected:
            rejected.user_sub = owner.user_sub
            raise
        return VerifiedLogin(
            user_sub=owner.user_sub,
            username=owner.username,
            credential_id=passkey.credential_id,
            passkey_id=passkey.id,
            new_sign_count=assertion.auth_data.sign_count,
        )
