"""Verify a ``create()`` response against its consumed challenge; nothing is stored here."""

from __future__ import annotations

from webauthn import verify_registration_response
from webauthn.helpers import parse_attestation_object
from webauthn.helpers.structs import (
    AttestationObject,
    AuthenticatorAttestationResponse,
    AuthenticatorTransport,
    RegistrationCredential,
)

from passkey_app.services.webauthn.challenges import StoredChallenge
from passkey_app.services.webauthn.checks import (
    check_authenticator_data,
    check_client_data,
    check_credential_key,
    check_single_cbor_item,
    key_algorithm,
)
from passkey_app.services.webauthn.encoding import b64url_encode
from passkey_app.services.webauthn.errors import PasskeyRejectedError, RejectReason
from passkey_app.services.webauthn.payload import RegistrationPayload, parse_registration
from passkey_app.services.webauthn.relying_party import RelyingParty
from passkey_app.services.webauthn.results import NewPasskey


def _attestation(payload: RegistrationPayload) -> AttestationObject:
    check_single_cbor_item(payload.attestation_object)
    try:
        return parse_attestation_object(payload.attestation_object)
    except Exception:  # py_webauthn's CBOR parsing raises whatever it meets
        raise PasskeyRejectedError(RejectReason.MALFORMED) from None


def verify_new_credential(
    *, response: object, challenge: StoredChallenge, user_handle: str, rp: RelyingParty
) -> NewPasskey:
    """Every registration rule of DESIGN.md, then py_webauthn's full verification."""
    payload = parse_registration(response)
    check_client_data(
        payload.client_data_json,
        expected_type="webauthn.create",
        expected_challenge=challenge.challenge,
        expected_origins=rp.origins,
    )
    auth_data = _attestation(payload).auth_data
    check_authenticator_data(auth_data, rp_id=rp.rp_id)
    attested = auth_data.attested_credential_data
    if attested is None or attested.credential_id != payload.raw_id:
        raise PasskeyRejectedError(RejectReason.MALFORMED)
    check_credential_key(attested.credential_public_key, allowed_algorithms=rp.algorithms)
    verified = verify_registration_response(
        credential=RegistrationCredential(
            id=payload.credential_id,
            raw_id=payload.raw_id,
            response=AuthenticatorAttestationResponse(
                client_data_json=payload.client_data_json,
                attestation_object=payload.attestation_object,
                transports=[AuthenticatorTransport(t) for t in payload.transports],
            ),
        ),
        expected_challenge=challenge.challenge,
        expected_rp_id=rp.rp_id,
        expected_origin=list(rp.origins),
        require_user_presence=True,
        require_user_verification=True,
        supported_pub_key_algs=list(rp.algorithms),
    )
    return NewPasskey(
        credential_id=b64url_encode(verified.credential_id),
        public_key=verified.credential_public_key,
        algorithm=key_algorithm(verified.credential_public_key),
        sign_count=verified.sign_count,
        aaguid=verified.aaguid,
        backup_eligible=auth_data.flags.be,
        backup_state=verified.credential_backed_up,
        transports=payload.transports,
        user_handle=user_handle,
        user_sub=challenge.user_sub,
        email=challenge.email,
    )
