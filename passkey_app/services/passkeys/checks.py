"""The WebAuthn checks py_webauthn leaves to the caller, or reports too vaguely.

They run before py_webauthn's own verification so that every refusal carries the
precise RejectReason; py_webauthn then re-verifies everything as a second line.
"""

from __future__ import annotations

import hashlib
import hmac
import json

from cryptography.exceptions import InvalidSignature
from webauthn.helpers import (
    decode_credential_public_key,
    decoded_public_key_to_cryptography,
    verify_signature,
)
from webauthn.helpers.structs import AuthenticatorData

from passkey_app.services.passkeys.encoding import b64url_encode
from passkey_app.services.passkeys.errors import PasskeyRejected, RejectReason


def check_client_data(
    client_data_json: bytes,
    *,
    expected_type: str,
    expected_challenge: bytes,
    expected_origins: tuple[str, ...],
) -> None:
    """Type, challenge, exact origin, and no cross-origin (iframe) ceremony."""
    try:
        client_data = json.loads(client_data_json.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise PasskeyRejected(RejectReason.MALFORMED) from None
    if not isinstance(client_data, dict) or not all(
        isinstance(client_data.get(key), str) for key in ("type", "challenge", "origin")
    ):
        raise PasskeyRejected(RejectReason.MALFORMED)
    if client_data["type"] != expected_type:
        raise PasskeyRejected(RejectReason.WRONG_TYPE)
    if not hmac.compare_digest(
        client_data["challenge"].encode(), b64url_encode(expected_challenge).encode()
    ):
        raise PasskeyRejected(RejectReason.CHALLENGE_INVALID)
    if client_data["origin"] not in expected_origins:
        raise PasskeyRejected(RejectReason.WRONG_ORIGIN)
    cross_origin = client_data.get("crossOrigin", False)
    if not isinstance(cross_origin, bool):
        raise PasskeyRejected(RejectReason.MALFORMED)
    if cross_origin or "topOrigin" in client_data:
        raise PasskeyRejected(RejectReason.CROSS_ORIGIN)


def check_authenticator_data(auth_data: AuthenticatorData, *, rp_id: str) -> None:
    """RP id hash, user present, user verified, and no backup state without eligibility."""
    if not hmac.compare_digest(auth_data.rp_id_hash, hashlib.sha256(rp_id.encode()).digest()):
        raise PasskeyRejected(RejectReason.WRONG_RP_ID)
    if not auth_data.flags.up:
        raise PasskeyRejected(RejectReason.USER_NOT_PRESENT)
    if not auth_data.flags.uv:
        raise PasskeyRejected(RejectReason.USER_NOT_VERIFIED)
    if auth_data.flags.bs and not auth_data.flags.be:
        raise PasskeyRejected(RejectReason.BACKUP_STATE_CHANGED)


def key_algorithm(public_key: bytes) -> int:
    """The COSE algorithm of a credential public key (WebAuthnException when unreadable)."""
    return int(decode_credential_public_key(public_key).alg)


def check_signature(
    *, public_key: bytes, authenticator_data: bytes, client_data_json: bytes, signature: bytes
) -> None:
    """The assertion signature over authenticatorData || SHA-256(clientDataJSON)."""
    decoded = decode_credential_public_key(public_key)
    try:
        verify_signature(
            public_key=decoded_public_key_to_cryptography(decoded),
            signature_alg=decoded.alg,
            signature=signature,
            data=authenticator_data + hashlib.sha256(client_data_json).digest(),
        )
    except InvalidSignature:
        raise PasskeyRejected(RejectReason.BAD_SIGNATURE) from None
