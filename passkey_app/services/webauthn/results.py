"""What the ceremonies hand back: plain frozen values, no ORM rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class CeremonyStart:
    """Options for the browser and the handle the UI keeps to finish the ceremony.

    ``options`` is JSON-ready (camelCase, base64url), exactly what
    ``PublicKeyCredential.parseCreationOptionsFromJSON`` / ``parseRequestOptionsFromJSON``
    take.
    """

    handle: str
    options: dict[str, Any]


@dataclass(frozen=True)
class NewPasskey:
    """A verified registration, not stored yet (see credential_store.add_passkey)."""

    credential_id: str
    public_key: bytes
    algorithm: int
    sign_count: int
    aaguid: str
    backup_eligible: bool
    backup_state: bool
    transports: tuple[str, ...]
    user_handle: str
    user_sub: str | None
    email: str | None


@dataclass(frozen=True)
class VerifiedLogin:
    """A verified assertion whose counter and backup state have been saved."""

    user_sub: str
    username: str
    credential_id: str
    passkey_id: int
    new_sign_count: int
