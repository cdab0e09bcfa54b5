"""The proof key ring in Secrets Manager: created once, then read on every run.

The secret's value is ``{"active_key_id": "...", "keys": {"key id": "base64url key"}}``:
``keys`` is exactly ``PASSKEY_PROOF_KEYS`` / the functions' ``PROOF_KEYS``, and
``active_key_id`` is ``PASSKEY_PROOF_ACTIVE_KEY_ID`` / ``PROOF_ACTIVE_KEY_ID``.
"""

from __future__ import annotations

import base64
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from passkey_app.provision.errors import ProvisionError
from passkey_app.provision.plan import Change, Plan

MIN_KEY_BYTES = 32


@dataclass(frozen=True)
class ProofKeyRing:
    """The keys the functions accept and the one the app signs with."""

    keys: dict[str, str]
    active_key_id: str

    @property
    def keys_json(self) -> str:
        """``PROOF_KEYS`` as the functions and the app read it (sorted, stable)."""
        return json.dumps(self.keys, sort_keys=True, separators=(",", ":"))

    def secret_string(self) -> str:
        """The Secrets Manager value."""
        return json.dumps({"active_key_id": self.active_key_id, "keys": self.keys}, sort_keys=True)


def new_key_ring(now: datetime | None = None) -> ProofKeyRing:
    """One fresh 256-bit key, named by its creation date."""
    key_id = f"proof-{(now or datetime.now(UTC)):%Y%m%d%H%M%S}"
    key = base64.urlsafe_b64encode(secrets.token_bytes(MIN_KEY_BYTES)).rstrip(b"=").decode()
    return ProofKeyRing(keys={key_id: key}, active_key_id=key_id)


def parse_secret(value: str, *, secret_id: str) -> ProofKeyRing:
    """Validate a stored ring; a broken one is an error naming the secret."""
    try:
        data = json.loads(value)
        keys, active = data["keys"], data["active_key_id"]
    except (ValueError, KeyError, TypeError):
        raise ProvisionError(
            f"secret {secret_id} is not {{'active_key_id': ..., 'keys': {{...}}}}"
        ) from None
    if not isinstance(keys, dict) or active not in keys:
        raise ProvisionError(f"secret {secret_id}: active_key_id {active!r} is not in keys")
    for key_id, key in keys.items():
        if not isinstance(key, str) or len(_b64url(key)) < MIN_KEY_BYTES:
            raise ProvisionError(f"secret {secret_id}: key {key_id!r} is shorter than 32 bytes")
    return ProofKeyRing(keys=dict(keys), active_key_id=active)


def _b64url(value: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except ValueError:
        return b""


def plan_proof_keys(plan: Plan, client: Any, secret_id: str) -> ProofKeyRing:
    """The stored ring, or a new one whose creation is added to the plan."""
    try:
        stored = client.get_secret_value(SecretId=secret_id)["SecretString"]
        return parse_secret(stored, secret_id=secret_id)
    except client.exceptions.ResourceNotFoundException:
        pass
    ring = new_key_ring()
    plan.add(
        Change(
            target=f"secret {secret_id}",
            summary="create the proof key ring (one new 256-bit key)",
            diff=(f"+ active_key_id: {ring.active_key_id}", "+ keys: <redacted>"),
            apply=lambda: client.create_secret(
                Name=secret_id,
                Description="passkey-app proof keys (app and Cognito triggers share them)",
                SecretString=ring.secret_string(),
            ),
        )
    )
    return ring
