"""Strict reading of what the browser's ``PublicKeyCredential.toJSON()`` sent.

The response comes straight from a websocket, so anything can arrive: it must be a
dict of at most 56 KiB (as JSON) with the expected string fields, each binary value in
canonical unpadded base64url. py_webauthn parses leniently; these checks run first.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from webauthn.helpers.structs import AuthenticatorTransport

from passkey_app.services.webauthn.encoding import b64url_decode
from passkey_app.services.webauthn.errors import PasskeyRejectedError, RejectReason

# Real responses are a few KiB (an attestation with certificates, ~10 KiB at most); the
# cap leaves 8 KiB of the 64 KiB websocket frame cap (passkey_app/event_guard.py) for
# the event's envelope, so an over-size response still gets a TOO_LARGE answer.
MAX_PAYLOAD_BYTES = 56 * 1024
MAX_CREDENTIAL_ID_BYTES = 1023
KNOWN_TRANSPORTS = frozenset(transport.value for transport in AuthenticatorTransport)


@dataclass(frozen=True)
class RegistrationPayload:
    """The decoded fields of a ``create()`` response."""

    credential_id: str
    raw_id: bytes
    client_data_json: bytes
    attestation_object: bytes
    transports: tuple[str, ...]


@dataclass(frozen=True)
class AssertionPayload:
    """The decoded fields of a ``get()`` response; ``user_handle`` stays base64url."""

    credential_id: str
    raw_id: bytes
    client_data_json: bytes
    authenticator_data: bytes
    signature: bytes
    user_handle: str | None


def _malformed() -> PasskeyRejectedError:
    return PasskeyRejectedError(RejectReason.MALFORMED)


def _binary(fields: dict[str, Any], name: str) -> bytes:
    value = fields.get(name)
    if not isinstance(value, str):
        raise _malformed()
    try:
        return b64url_decode(value)
    except ValueError:
        raise _malformed() from None


def _envelope(response: object) -> tuple[str, bytes, dict[str, Any]]:
    """Size, shape, id == rawId and type; returns (id, raw id, inner response)."""
    if not isinstance(response, dict):
        raise _malformed()
    try:
        size = len(json.dumps(response, separators=(",", ":")).encode())
    except (TypeError, ValueError, RecursionError):
        raise _malformed() from None
    if size > MAX_PAYLOAD_BYTES:
        raise PasskeyRejectedError(RejectReason.TOO_LARGE)
    inner = response.get("response")
    credential_type = response.get("type")
    if not isinstance(inner, dict) or not isinstance(credential_type, str):
        raise _malformed()
    raw_id = _binary(response, "rawId")
    if response.get("id") != response["rawId"]:
        raise _malformed()
    if credential_type != "public-key":
        raise PasskeyRejectedError(RejectReason.WRONG_TYPE)
    if not raw_id:
        raise _malformed()
    if len(raw_id) > MAX_CREDENTIAL_ID_BYTES:
        raise PasskeyRejectedError(RejectReason.CREDENTIAL_ID_TOO_LONG)
    return response["rawId"], raw_id, inner


def _transports(inner: dict[str, Any]) -> tuple[str, ...]:
    """Known transports in the order given; unknown ones are ignored, as the spec asks."""
    value = inner.get("transports", [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise _malformed()
    return tuple(dict.fromkeys(item for item in value if item in KNOWN_TRANSPORTS))


def parse_registration(response: object) -> RegistrationPayload:
    """The registration response's fields, or PasskeyRejectedError (MALFORMED, TOO_LARGE, ...)."""
    credential_id, raw_id, inner = _envelope(response)
    return RegistrationPayload(
        credential_id=credential_id,
        raw_id=raw_id,
        client_data_json=_binary(inner, "clientDataJSON"),
        attestation_object=_binary(inner, "attestationObject"),
        transports=_transports(inner),
    )


def parse_assertion(response: object) -> AssertionPayload:
    """The authentication response's fields, or PasskeyRejectedError (MALFORMED, TOO_LARGE, ...)."""
    credential_id, raw_id, inner = _envelope(response)
    user_handle = inner.get("userHandle")
    if user_handle is not None:
        _binary(inner, "userHandle")
    return AssertionPayload(
        credential_id=credential_id,
        raw_id=raw_id,
        client_data_json=_binary(inner, "clientDataJSON"),
        authenticator_data=_binary(inner, "authenticatorData"),
        signature=_binary(inner, "signature"),
        user_handle=user_handle,
    )
