"""Signed proof tokens: how the app vouches to Cognito that a factor was verified.

The app signs a proof after it has verified a passkey assertion or a magic link and
sends it as the CUSTOM_AUTH challenge answer; the VerifyAuthChallengeResponse Lambda
checks it. Both sides import this module, so it uses the standard library only.

Wire format (every part unpadded base64url except the first two)::

    v1.<key_id>.<b64(canonical JSON claims)>.<b64(HMAC-SHA256(key, "v1.<key_id>.<payload>"))>

Keys are configured as a JSON object ``{key_id: base64url key}`` plus the id of the
key that signs; every key present verifies, which is how keys rotate. A new key:
``python -c "import secrets; print(secrets.token_urlsafe(32))"``.
"""

import base64
import dataclasses
import hashlib
import hmac
import json
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any

PROOF_VERSION = "v1"
MAX_PROOF_LIFETIME_SECONDS = 60
MAX_PROOF_TOKEN_LENGTH = 4096
MIN_KEY_BYTES = 32
CLOCK_SKEW_SECONDS = 5
DEFAULT_PROOF_LIFETIME_SECONDS = 30

KEYS_ENV_VAR = "PROOF_KEYS"
ACTIVE_KEY_ID_ENV_VAR = "PROOF_ACTIVE_KEY_ID"

_KEY_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_B64URL = re.compile(r"[A-Za-z0-9_-]*")
_KEY_ID_RULE = "1 to 64 characters of A-Z, a-z, 0-9, '_' and '-'"


class ProofFailure(StrEnum):
    """Which check rejected a proof token."""

    MALFORMED = "malformed"
    UNKNOWN_KEY = "unknown_key"
    BAD_SIGNATURE = "bad_signature"
    WRONG_POOL = "wrong_pool"
    WRONG_CLIENT = "wrong_client"
    WRONG_USER = "wrong_user"
    WRONG_NONCE = "wrong_nonce"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    EXPIRED = "expired"
    LIFETIME_TOO_LONG = "lifetime_too_long"
    NOT_YET_VALID = "not_yet_valid"
    TOO_LARGE = "too_large"


class ProofError(Exception):
    """A proof token was rejected; ``reason`` names the check that failed.

    Messages describe the failed check only; they never quote the token or a key.
    """

    def __init__(self, reason: ProofFailure, detail: str) -> None:
        super().__init__(f"{reason.value}: {detail}")
        self.reason = reason
        self.detail = detail


class KeyRingError(ValueError):
    """The proof key configuration is unusable (the message never holds key material)."""


class ProofMethod(StrEnum):
    """The factor the app verified before signing the proof."""

    PASSKEY = "passkey"
    MAGIC_LINK = "magic_link"
    EMAIL_CODE = "email_code"
    """A sign-in code from the link mail, typed in the browser that asked for it."""


@dataclass(frozen=True)
class ProofClaims:
    """What a proof asserts: this user of this pool and client passed ``method``."""

    pool_id: str
    client_id: str
    sub: str
    nonce: str
    method: ProofMethod
    credential_id: str | None
    issued_at: int
    expires_at: int


_CLAIM_NAMES = frozenset(f.name for f in dataclasses.fields(ProofClaims))
_STR_CLAIMS = ("pool_id", "client_id", "sub", "nonce")
_INT_CLAIMS = ("issued_at", "expires_at")
_METHOD_NAMES = frozenset(method.value for method in ProofMethod)


@dataclass(frozen=True)
class KeyRing:
    """HMAC keys by id: sign with ``active_key_id``, verify with any key present."""

    active_key_id: str
    keys: Mapping[str, bytes] = field(repr=False)

    def __post_init__(self) -> None:
        keys = _checked_keys(self.keys)
        if not isinstance(self.active_key_id, str) or not _KEY_ID.fullmatch(self.active_key_id):
            raise KeyRingError(f"the active key id must be {_KEY_ID_RULE}")
        if self.active_key_id not in keys:
            raise KeyRingError(f"the active key id {self.active_key_id!r} is not in the key ring")
        object.__setattr__(self, "keys", MappingProxyType(keys))


def _checked_keys(keys: Mapping[str, bytes]) -> dict[str, bytes]:
    """Copy ``keys`` after checking every id and key; raise KeyRingError otherwise."""
    checked = dict(keys)
    if not checked:
        raise KeyRingError("the key ring holds no keys")
    for key_id, key in checked.items():
        _check_key_id(key_id)
        _check_key(key_id, key)
    return checked


def _check_key_id(key_id: object) -> None:
    if not isinstance(key_id, str) or not _KEY_ID.fullmatch(key_id):
        raise KeyRingError(f"key ids must be {_KEY_ID_RULE}")


def _check_key(key_id: str, key: object) -> None:
    if not isinstance(key, bytes):
        raise KeyRingError(f"key {key_id!r} must be bytes")
    if len(key) < MIN_KEY_BYTES:
        raise KeyRingError(
            f"key {key_id!r} has {len(key)} bytes; at least {MIN_KEY_BYTES} are required"
        )


def parse_key_ring(*, keys_json: str, active_key_id: str) -> KeyRing:
    """Build a key ring from ``{key_id: base64url key}`` JSON and the signing key's id.

    Raises KeyRingError naming the problem (bad JSON, bad id, short key, unknown
    active id) without quoting any key.
    """
    return KeyRing(active_key_id=active_key_id, keys=_decode_keys(keys_json))


def key_ring_from_environ(environ: Mapping[str, str]) -> KeyRing:
    """Build the key ring from PROOF_KEYS and PROOF_ACTIVE_KEY_ID.

    Raises KeyRingError naming the variable that is missing or invalid.
    """
    keys_json = _require_env(environ, KEYS_ENV_VAR)
    active_key_id = _require_env(environ, ACTIVE_KEY_ID_ENV_VAR)
    try:
        keys = _checked_keys(_decode_keys(keys_json))
    except KeyRingError as exc:
        raise KeyRingError(f"{KEYS_ENV_VAR}: {exc}") from None
    try:
        return KeyRing(active_key_id=active_key_id, keys=keys)
    except KeyRingError as exc:
        raise KeyRingError(f"{ACTIVE_KEY_ID_ENV_VAR}: {exc}") from None


def _require_env(environ: Mapping[str, str], name: str) -> str:
    value = environ.get(name, "").strip()
    if not value:
        raise KeyRingError(f"{name} is not set")
    return value


def _decode_keys(keys_json: str) -> dict[str, bytes]:
    try:
        data = json.loads(keys_json, object_pairs_hook=_reject_duplicate_ids)
    except KeyRingError:
        raise
    except (TypeError, ValueError, RecursionError):
        raise KeyRingError("the keys are not valid JSON") from None
    if not isinstance(data, dict):
        raise KeyRingError("the keys must be a JSON object of key id to base64url key")
    keys: dict[str, bytes] = {}
    for key_id, encoded in data.items():
        _check_key_id(key_id)
        if not isinstance(encoded, str):
            raise KeyRingError(f"key {key_id!r} must be a base64url string")
        try:
            keys[key_id] = _b64url_decode(encoded.rstrip("="))
        except ValueError:
            raise KeyRingError(f"key {key_id!r} is not valid base64url") from None
    return keys


def _reject_duplicate_ids(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key_id, value in pairs:
        if key_id in result:
            raise KeyRingError(f"key id {key_id!r} appears twice")
        result[key_id] = value
    return result


def new_claims(
    *,
    pool_id: str,
    client_id: str,
    sub: str,
    nonce: str,
    method: ProofMethod,
    credential_id: str | None = None,
    now: int,
    lifetime_seconds: int = DEFAULT_PROOF_LIFETIME_SECONDS,
) -> ProofClaims:
    """Claims for a proof issued at ``now`` that the verifier will accept.

    Raises ValueError when ``lifetime_seconds`` is not within 1..60.
    """
    if not 0 < lifetime_seconds <= MAX_PROOF_LIFETIME_SECONDS:
        raise ValueError(f"lifetime_seconds must be 1..{MAX_PROOF_LIFETIME_SECONDS}")
    return ProofClaims(
        pool_id=pool_id,
        client_id=client_id,
        sub=sub,
        nonce=nonce,
        method=ProofMethod(method),
        credential_id=credential_id,
        issued_at=now,
        expires_at=now + lifetime_seconds,
    )


def sign_proof(*, claims: ProofClaims, key_ring: KeyRing) -> str:
    """Sign ``claims`` with the ring's active key and return the compact token.

    The signer does not judge the claims; build them with ``new_claims``.
    Raises ValueError if the token would exceed MAX_PROOF_TOKEN_LENGTH.
    """
    payload = {**dataclasses.asdict(claims), "method": ProofMethod(claims.method).value}
    signed_part = ".".join(
        (PROOF_VERSION, key_ring.active_key_id, _b64url_encode(_canonical_json(payload)))
    )
    signature = _mac(key_ring.keys[key_ring.active_key_id], signed_part)
    token = f"{signed_part}.{_b64url_encode(signature)}"
    if len(token) > MAX_PROOF_TOKEN_LENGTH:
        raise ValueError(f"the proof token would exceed {MAX_PROOF_TOKEN_LENGTH} characters")
    return token


def verify_proof(
    token: str,
    *,
    key_ring: KeyRing,
    expected_pool_id: str,
    expected_client_id: str,
    expected_sub: str,
    expected_nonce: str,
    allowed_methods: Collection[ProofMethod],
    now: int,
) -> ProofClaims:
    """Return the claims of ``token`` if it is authentic and binds exactly this login.

    Raises ProofError at the first failed check; ``reason`` says which. Raises
    ValueError if an ``expected_*`` argument is empty (a caller bug, never a match).
    """
    _require_expected(
        expected_pool_id=expected_pool_id,
        expected_client_id=expected_client_id,
        expected_sub=expected_sub,
        expected_nonce=expected_nonce,
    )
    key_id, signed_part, payload, signature = _split_token(token)
    key = key_ring.keys.get(key_id)
    if key is None:
        raise ProofError(ProofFailure.UNKNOWN_KEY, f"no key with id {key_id!r}")
    if not hmac.compare_digest(_mac(key, signed_part), signature):
        raise ProofError(ProofFailure.BAD_SIGNATURE, "the signature does not match")
    claims = _decode_claims(payload)
    _check_binding(
        claims,
        expected_pool_id=expected_pool_id,
        expected_client_id=expected_client_id,
        expected_sub=expected_sub,
        expected_nonce=expected_nonce,
    )
    if claims.method not in allowed_methods:
        raise ProofError(ProofFailure.METHOD_NOT_ALLOWED, f"method {claims.method.value}")
    _check_validity(claims, now=now)
    return claims


def _require_expected(**expected: str) -> None:
    for name, value in expected.items():
        if not isinstance(value, str) or not value:
            raise ValueError(f"{name} must be a non-empty string")


def _split_token(token: object) -> tuple[str, str, bytes, bytes]:
    """Return key id, signed part, payload bytes and signature bytes of a token."""
    if not isinstance(token, str):
        raise ProofError(ProofFailure.MALFORMED, "the token is not a string")
    if len(token) > MAX_PROOF_TOKEN_LENGTH:
        raise ProofError(ProofFailure.TOO_LARGE, f"over {MAX_PROOF_TOKEN_LENGTH} characters")
    parts = token.split(".")
    if len(parts) != 4:
        raise ProofError(ProofFailure.MALFORMED, "the token does not have four parts")
    version, key_id, payload_b64, signature_b64 = parts
    if version != PROOF_VERSION:
        raise ProofError(ProofFailure.MALFORMED, "unsupported token version")
    if not _KEY_ID.fullmatch(key_id):
        raise ProofError(ProofFailure.MALFORMED, "invalid key id")
    try:
        payload = _b64url_decode(payload_b64)
        signature = _b64url_decode(signature_b64)
    except ValueError:
        raise ProofError(ProofFailure.MALFORMED, "invalid base64url") from None
    return key_id, f"{version}.{key_id}.{payload_b64}", payload, signature


def _decode_claims(payload: bytes) -> ProofClaims:
    try:
        data = json.loads(payload.decode("utf-8"))
        canonical = _canonical_json(data)
    except (ValueError, RecursionError):
        raise ProofError(ProofFailure.MALFORMED, "the payload is not valid JSON") from None
    if canonical != payload:
        raise ProofError(ProofFailure.MALFORMED, "the payload is not canonical JSON")
    if not isinstance(data, dict) or data.keys() != _CLAIM_NAMES:
        raise ProofError(ProofFailure.MALFORMED, f"the claims must be {sorted(_CLAIM_NAMES)}")
    _check_claim_types(data)
    if data["expires_at"] <= data["issued_at"]:
        raise ProofError(ProofFailure.MALFORMED, "expires_at is not after issued_at")
    return ProofClaims(**{**data, "method": ProofMethod(data["method"])})


def _check_claim_types(data: dict[str, Any]) -> None:
    for name in _STR_CLAIMS:
        if type(data[name]) is not str:
            raise ProofError(ProofFailure.MALFORMED, f"{name} is not a string")
    for name in _INT_CLAIMS:
        if type(data[name]) is not int:  # bool is an int subclass; reject it
            raise ProofError(ProofFailure.MALFORMED, f"{name} is not an integer")
    if data["credential_id"] is not None and type(data["credential_id"]) is not str:
        raise ProofError(ProofFailure.MALFORMED, "credential_id is not a string or null")
    if type(data["method"]) is not str or data["method"] not in _METHOD_NAMES:
        raise ProofError(ProofFailure.MALFORMED, "unknown method")


def _check_binding(
    claims: ProofClaims,
    *,
    expected_pool_id: str,
    expected_client_id: str,
    expected_sub: str,
    expected_nonce: str,
) -> None:
    checks = (
        (claims.pool_id, expected_pool_id, ProofFailure.WRONG_POOL, "user pool"),
        (claims.client_id, expected_client_id, ProofFailure.WRONG_CLIENT, "app client"),
        (claims.sub, expected_sub, ProofFailure.WRONG_USER, "user"),
        (claims.nonce, expected_nonce, ProofFailure.WRONG_NONCE, "challenge"),
    )
    for actual, expected, reason, what in checks:
        if not hmac.compare_digest(actual.encode("utf-8"), expected.encode("utf-8")):
            raise ProofError(reason, f"the proof was issued for another {what}")


def _check_validity(claims: ProofClaims, *, now: int) -> None:
    if claims.issued_at > now + CLOCK_SKEW_SECONDS:
        raise ProofError(ProofFailure.NOT_YET_VALID, "issued in the future")
    if claims.expires_at <= now:
        raise ProofError(ProofFailure.EXPIRED, "the proof has expired")
    if claims.expires_at - claims.issued_at > MAX_PROOF_LIFETIME_SECONDS:
        raise ProofError(
            ProofFailure.LIFETIME_TOO_LONG, f"lifetime over {MAX_PROOF_LIFETIME_SECONDS} s"
        )


def _mac(key: bytes, signed_part: str) -> bytes:
    return hmac.new(key, signed_part.encode("ascii"), hashlib.sha256).digest()


def _canonical_json(value: object) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False).encode("ascii")


def _b64url_encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes:
    """Decode unpadded base64url, refusing padding, other characters and slack bits."""
    if not _B64URL.fullmatch(text):
        raise ValueError("not unpadded base64url")
    raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if _b64url_encode(raw) != text:
        raise ValueError("not canonical base64url")
    return raw
