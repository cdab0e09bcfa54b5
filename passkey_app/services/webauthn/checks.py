"""The WebAuthn checks py_webauthn leaves to the caller, or reports too vaguely.

They run before py_webauthn's own verification so that every refusal carries the
precise RejectReason; py_webauthn then re-verifies everything as a second line.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
from collections.abc import Collection
from typing import Any

import cbor2
from cryptography.exceptions import InvalidSignature
from webauthn.helpers import (
    decode_credential_public_key,
    decoded_public_key_to_cryptography,
    verify_signature,
)
from webauthn.helpers.cose import COSECRV, COSEKTY, COSEAlgorithmIdentifier, COSEKey
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import AuthenticatorData

from passkey_app.services.webauthn.encoding import b64url_encode
from passkey_app.services.webauthn.errors import PasskeyRejectedError, RejectReason

# The key type and curve each algorithm we know signs with; an RSA key has no curve.
KEY_SHAPES: dict[int, tuple[int, int | None]] = {
    COSEAlgorithmIdentifier.EDDSA: (COSEKTY.OKP, COSECRV.ED25519),
    COSEAlgorithmIdentifier.ECDSA_SHA_256: (COSEKTY.EC2, COSECRV.P256),
    COSEAlgorithmIdentifier.RSASSA_PKCS1_v1_5_SHA_256: (COSEKTY.RSA, None),
}


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
        raise PasskeyRejectedError(RejectReason.MALFORMED) from None
    if not isinstance(client_data, dict) or not all(
        isinstance(client_data.get(key), str) for key in ("type", "challenge", "origin")
    ):
        raise PasskeyRejectedError(RejectReason.MALFORMED)
    if client_data["type"] != expected_type:
        raise PasskeyRejectedError(RejectReason.WRONG_TYPE)
    if not hmac.compare_digest(
        client_data["challenge"].encode(), b64url_encode(expected_challenge).encode()
    ):
        raise PasskeyRejectedError(RejectReason.CHALLENGE_INVALID)
    if client_data["origin"] not in expected_origins:
        raise PasskeyRejectedError(RejectReason.WRONG_ORIGIN)
    cross_origin = client_data.get("crossOrigin", False)
    if not isinstance(cross_origin, bool):
        raise PasskeyRejectedError(RejectReason.MALFORMED)
    if cross_origin or "topOrigin" in client_data:
        raise PasskeyRejectedError(RejectReason.CROSS_ORIGIN)


def check_authenticator_data(auth_data: AuthenticatorData, *, rp_id: str) -> None:
    """RP id hash, user present, user verified, and no backup state without eligibility."""
    if not hmac.compare_digest(auth_data.rp_id_hash, hashlib.sha256(rp_id.encode()).digest()):
        raise PasskeyRejectedError(RejectReason.WRONG_RP_ID)
    if not auth_data.flags.up:
        raise PasskeyRejectedError(RejectReason.USER_NOT_PRESENT)
    if not auth_data.flags.uv:
        raise PasskeyRejectedError(RejectReason.USER_NOT_VERIFIED)
    if auth_data.flags.bs and not auth_data.flags.be:
        raise PasskeyRejectedError(RejectReason.BACKUP_STATE_CHANGED)


def check_single_cbor_item(data: bytes) -> None:
    """Exactly one CBOR data item and nothing after it. py_webauthn's parser stops at the
    end of the first item, so bytes appended to an attestationObject would pass unseen."""
    stream = io.BytesIO(data)
    try:
        # read_size=1: the decoder reads no further than the item, so tell() is its end.
        cbor2.CBORDecoder(stream, read_size=1).decode()
    except Exception:  # cbor2 raises whatever the bytes lead it into
        raise PasskeyRejectedError(RejectReason.MALFORMED) from None
    if stream.tell() != len(data):
        raise PasskeyRejectedError(RejectReason.MALFORMED)


def check_credential_key(public_key: bytes, *, allowed_algorithms: Collection[int]) -> None:
    """The key's algorithm is allowed, its key type and curve are the ones that algorithm
    signs with, and the key loads. Otherwise the passkey would register and never sign in
    (an EC2 key labelled RS256, a P-384 key labelled ES256). An algorithm with no entry in
    KEY_SHAPES is not allowed, whatever the list says."""
    cose = _cose_key(public_key)
    algorithm = cose.get(COSEKey.ALG)
    if not _is_int(algorithm):
        raise PasskeyRejectedError(RejectReason.MALFORMED)
    if algorithm not in allowed_algorithms or algorithm not in KEY_SHAPES:
        raise PasskeyRejectedError(RejectReason.ALGORITHM_NOT_ALLOWED)
    key_type, curve = KEY_SHAPES[algorithm]
    if not _is_int(cose.get(COSEKey.KTY)) or cose[COSEKey.KTY] != key_type:
        raise PasskeyRejectedError(RejectReason.KEY_ALGORITHM_MISMATCH)
    if curve is not None and (not _is_int(cose.get(COSEKey.CRV)) or cose[COSEKey.CRV] != curve):
        raise PasskeyRejectedError(RejectReason.KEY_ALGORITHM_MISMATCH)
    try:
        decoded_public_key_to_cryptography(decode_credential_public_key(public_key))
    except (ValueError, LookupError, TypeError, WebAuthnException):
        raise PasskeyRejectedError(RejectReason.MALFORMED) from None  # e.g. a point off the curve


def _cose_key(public_key: bytes) -> dict[Any, Any]:
    try:
        cose = cbor2.loads(public_key)
    except Exception:  # cbor2 raises whatever the bytes lead it into
        raise PasskeyRejectedError(RejectReason.MALFORMED) from None
    if not isinstance(cose, dict):
        raise PasskeyRejectedError(RejectReason.MALFORMED)
    return cose


def _is_int(value: object) -> bool:
    """An integer, not a bool (CBOR true is not key type 1)."""
    return type(value) is int


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
        raise PasskeyRejectedError(RejectReason.BAD_SIGNATURE) from None
