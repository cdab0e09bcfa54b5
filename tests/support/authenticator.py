"""A software WebAuthn authenticator, and the browser around it.

``create`` and ``get`` take the options dict our ceremonies send to the browser and
return exactly what ``PublicKeyCredential.toJSON()`` gives back (attestation "none"),
built from real keys with ``cryptography`` and ``cbor2``. Every value a browser or an
authenticator could get wrong, or an attacker could choose, is a keyword argument.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import struct
from dataclasses import dataclass, field
from typing import Any

import cbor2

from tests.support.keys import ES256, PrivateKey, cose_key_map, new_key, sign, spki

DEFAULT_ORIGIN = "http://localhost:3000"
ZERO_AAGUID = bytes(16)
UP, UV, BE, BS, AT = 0x01, 0x04, 0x08, 0x10, 0x40


def b64url(raw: bytes) -> str:
    """Unpadded base64url, as browsers write binary values in JSON."""
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unb64url(value: str) -> bytes:
    """Inverse of b64url."""
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


@dataclass
class SoftCredential:
    """A discoverable credential held by the authenticator."""

    credential_id: bytes
    key: PrivateKey
    algorithm: int
    rp_id: str
    user_handle: bytes
    sign_count: int = 0
    backup_eligible: bool = False
    backup_state: bool = False

    @property
    def id(self) -> str:
        """The credential id as the browser reports it (base64url)."""
        return b64url(self.credential_id)


def client_data_json(
    *,
    type: str,
    challenge: str,
    origin: str,
    cross_origin: bool | None = False,
    top_origin: str | None = None,
) -> bytes:
    """clientDataJSON as Chromium serialises it: compact, in this key order."""
    data: dict[str, Any] = {"type": type, "challenge": challenge, "origin": origin}
    if cross_origin is not None:
        data["crossOrigin"] = cross_origin
    if top_origin is not None:
        data["topOrigin"] = top_origin
    return json.dumps(data, separators=(",", ":")).encode()


def authenticator_data(*, rp_id: str, flags: int, sign_count: int, attested: bytes = b"") -> bytes:
    """rpIdHash || flags || signCount (big-endian) || attested credential data."""
    rp_id_hash = hashlib.sha256(rp_id.encode()).digest()
    return rp_id_hash + bytes([flags]) + struct.pack(">I", sign_count) + attested


def _flags(*, up: bool, uv: bool, be: bool, bs: bool, at: bool = False) -> int:
    return (UP * up) | (UV * uv) | (BE * be) | (BS * bs) | (AT * at)


@dataclass
class SoftAuthenticator:
    """A platform authenticator (user verification, resident keys) behind one origin."""

    origin: str = DEFAULT_ORIGIN
    aaguid: bytes = ZERO_AAGUID
    transports: tuple[str, ...] = ("hybrid", "internal")
    credentials: list[SoftCredential] = field(default_factory=list)

    def create(
        self,
        options: dict[str, Any],
        *,
        algorithm: int = ES256,
        key: PrivateKey | None = None,
        credential_id: bytes | None = None,
        user_handle: bytes | None = None,
        aaguid: bytes | None = None,
        origin: str | None = None,
        rp_id: str | None = None,
        challenge: str | None = None,
        type: str = "webauthn.create",
        cross_origin: bool | None = False,
        top_origin: str | None = None,
        up: bool = True,
        uv: bool = True,
        be: bool = False,
        bs: bool = False,
        sign_count: int = 0,
        cose_key: dict[int, Any] | None = None,
        attestation_suffix: bytes = b"",
    ) -> tuple[SoftCredential, dict[str, Any]]:
        """Answer ``navigator.credentials.create(options)``: the new credential, and the
        RegistrationResponseJSON the browser returns. ``cose_key`` replaces the COSE_Key
        map of the credential's public key (a mislabelled or broken key);
        ``attestation_suffix`` is appended after the attestationObject's CBOR item."""
        credential = SoftCredential(
            credential_id=credential_id if credential_id is not None else secrets.token_bytes(16),
            key=key or new_key(algorithm),
            algorithm=algorithm,
            rp_id=rp_id or options["rp"]["id"],
            user_handle=user_handle if user_handle is not None else unb64url(options["user"]["id"]),
            sign_count=sign_count,
            backup_eligible=be,
            backup_state=bs,
        )
        self.credentials.append(credential)
        public_key = cbor2.dumps(
            cose_key if cose_key is not None else cose_key_map(credential.key, algorithm)
        )
        attested = (
            (aaguid if aaguid is not None else self.aaguid)
            + struct.pack(">H", len(credential.credential_id))
            + credential.credential_id
            + public_key
        )
        auth_data = authenticator_data(
            rp_id=credential.rp_id,
            flags=_flags(up=up, uv=uv, be=be, bs=bs, at=True),
            sign_count=sign_count,
            attested=attested,
        )
        client_data = client_data_json(
            type=type,
            challenge=challenge if challenge is not None else options["challenge"],
            origin=origin or self.origin,
            cross_origin=cross_origin,
            top_origin=top_origin,
        )
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        attestation += attestation_suffix
        response = {
            "clientDataJSON": b64url(client_data),
            "authenticatorData": b64url(auth_data),
            "transports": list(self.transports),
            "publicKey": b64url(spki(credential.key)),
            "publicKeyAlgorithm": algorithm,
            "attestationObject": b64url(attestation),
        }
        return credential, self._envelope(credential.credential_id, response)

    def get(
        self,
        options: dict[str, Any],
        credential: SoftCredential | None = None,
        *,
        signing_key: PrivateKey | None = None,
        credential_id: bytes | None = None,
        user_handle: bytes | None = None,
        omit_user_handle: bool = False,
        origin: str | None = None,
        rp_id: str | None = None,
        challenge: str | None = None,
        type: str = "webauthn.get",
        cross_origin: bool | None = False,
        top_origin: str | None = None,
        up: bool = True,
        uv: bool = True,
        be: bool | None = None,
        bs: bool | None = None,
        sign_count: int | None = None,
    ) -> dict[str, Any]:
        """Answer ``navigator.credentials.get(options)`` with ``credential`` (default: the
        newest); the counter goes up by one unless ``sign_count`` is given."""
        credential = credential or self.credentials[-1]
        credential.sign_count = credential.sign_count + 1 if sign_count is None else sign_count
        auth_data = authenticator_data(
            rp_id=rp_id or options.get("rpId") or credential.rp_id,
            flags=_flags(
                up=up,
                uv=uv,
                be=credential.backup_eligible if be is None else be,
                bs=credential.backup_state if bs is None else bs,
            ),
            sign_count=credential.sign_count,
        )
        client_data = client_data_json(
            type=type,
            challenge=challenge if challenge is not None else options["challenge"],
            origin=origin or self.origin,
            cross_origin=cross_origin,
            top_origin=top_origin,
        )
        signed = auth_data + hashlib.sha256(client_data).digest()
        response = {
            "clientDataJSON": b64url(client_data),
            "authenticatorData": b64url(auth_data),
            "signature": b64url(sign(signing_key or credential.key, signed)),
        }
        if not omit_user_handle:
            response["userHandle"] = b64url(user_handle or credential.user_handle)
        raw_id = credential.credential_id if credential_id is None else credential_id
        return self._envelope(raw_id, response)

    @staticmethod
    def _envelope(raw_id: bytes, response: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": b64url(raw_id),
            "rawId": b64url(raw_id),
            "type": "public-key",
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {},
            "response": response,
        }
