"""Verify a ``get()`` response: first what needs no database, then against the stored passkey."""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from webauthn import verify_authentication_response
from webauthn.helpers import parse_authenticator_data
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticationCredential,
    AuthenticatorAssertionResponse,
    AuthenticatorData,
)

from passkey_app.models import PasskeyCredential, WebAuthnUser
from passkey_app.services.webauthn.challenges import StoredChallenge
from passkey_app.services.webauthn.checks import (
    check_authenticator_data,
    check_client_data,
    check_signature,
)
from passkey_app.services.webauthn.encoding import b64url_decode
from passkey_app.services.webauthn.errors import PasskeyRejectedError, RejectReason
from passkey_app.services.webauthn.payload import AssertionPayload, parse_assertion
from passkey_app.services.webauthn.relying_party import RelyingParty


@dataclass(frozen=True)
class Assertion:
    """A well-formed assertion for our origin, RP id and challenge, signature not yet checked."""

    payload: AssertionPayload
    auth_data: AuthenticatorData

    @property
    def credential_id(self) -> str:
        """The credential the browser says it used (base64url)."""
        return self.payload.credential_id


def read_assertion(*, response: object, challenge: StoredChallenge, rp: RelyingParty) -> Assertion:
    """Shape, client data and authenticator flags: every check that needs no stored passkey."""
    payload = parse_assertion(response)
    check_client_data(
        payload.client_data_json,
        expected_type="webauthn.get",
        expected_challenge=challenge.challenge,
        expected_origins=rp.origins,
    )
    try:
        auth_data = parse_authenticator_data(payload.authenticator_data)
    except Exception:  # py_webauthn's parser raises whatever it meets
        raise PasskeyRejectedError(RejectReason.MALFORMED) from None
    check_authenticator_data(auth_data, rp_id=rp.rp_id)
    return Assertion(payload=payload, auth_data=auth_data)


def check_owner(
    assertion: Assertion,
    *,
    challenge: StoredChallenge,
    credential: PasskeyCredential,
    owner: WebAuthnUser,
) -> None:
    """The passkey belongs to the user the ceremony was for, and the user handle says so."""
    if challenge.user_sub is not None and challenge.user_sub != credential.user_sub:
        raise PasskeyRejectedError(RejectReason.WRONG_USER)
    user_handle = assertion.payload.user_handle
    if user_handle is None:
        if challenge.user_sub is None:
            raise PasskeyRejectedError(RejectReason.USER_HANDLE_MISMATCH)
        return
    if not hmac.compare_digest(user_handle.encode(), owner.user_handle.encode()):
        raise PasskeyRejectedError(RejectReason.USER_HANDLE_MISMATCH)


def verify_with_stored_key(
    assertion: Assertion,
    *,
    challenge: StoredChallenge,
    credential: PasskeyCredential,
    rp: RelyingParty,
) -> None:
    """Algorithm, signature and py_webauthn's verification, then counter and backup rules."""
    if credential.algorithm not in rp.algorithms:
        raise PasskeyRejectedError(RejectReason.ALGORITHM_NOT_ALLOWED)
    payload = assertion.payload
    try:
        verify_authentication_response(
            credential=AuthenticationCredential(
                id=payload.credential_id,
                raw_id=payload.raw_id,
                response=AuthenticatorAssertionResponse(
                    client_data_json=payload.client_data_json,
                    authenticator_data=payload.authenticator_data,
                    signature=payload.signature,
                    user_handle=b64url_decode(payload.user_handle) if payload.user_handle else None,
                ),
            ),
            expected_challenge=challenge.challenge,
            expected_rp_id=rp.rp_id,
            expected_origin=list(rp.origins),
            credential_public_key=credential.public_key,
            # The counter rule is ours (below), after the signature, so the reason is exact.
            credential_current_sign_count=0,
            require_user_verification=True,
        )
    except WebAuthnException:
        # Our checks before this one passed, so the signature is the likely reason: check
        # it alone (only on this path: a good sign-in verifies its signature once) to say
        # so exactly, or else refuse with py_webauthn's general reason.
        check_signature(
            public_key=credential.public_key,
            authenticator_data=payload.authenticator_data,
            client_data_json=payload.client_data_json,
            signature=payload.signature,
        )
        raise PasskeyRejectedError(RejectReason.VERIFICATION_FAILED) from None
    flags = assertion.auth_data.flags
    if flags.be != credential.backup_eligible:
        raise PasskeyRejectedError(RejectReason.BACKUP_STATE_CHANGED)
    new_count, old_count = assertion.auth_data.sign_count, credential.sign_count
    if (new_count or old_count) and new_count <= old_count:
        raise PasskeyRejectedError(RejectReason.COUNTER_REGRESSION)
