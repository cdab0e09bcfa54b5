"""A software passkey inside Chromium: the DevTools WebAuthn domain's virtual authenticator,
driven through a Playwright CDP session. Create a new one per test: a virtual authenticator
holds only three resident credentials."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from playwright.sync_api import CDPSession, Page


@dataclass(frozen=True)
class VirtualCredential:
    """A credential as the authenticator stores it (its private key left out)."""

    credential_id: bytes
    rp_id: str
    user_handle: bytes | None
    sign_count: int
    resident: bool


class VirtualAuthenticator:
    """One virtual authenticator attached to one page."""

    def __init__(self, session: CDPSession, authenticator_id: str) -> None:
        self._session = session
        self.authenticator_id = authenticator_id

    def credentials(self) -> list[VirtualCredential]:
        """What the authenticator holds right now."""
        found = self._send("WebAuthn.getCredentials")
        return [_credential(raw) for raw in found["credentials"]]

    def set_user_verified(self, verified: bool) -> None:
        """Whether the next user-verification gesture succeeds."""
        self._send("WebAuthn.setUserVerified", isUserVerified=verified)

    def set_presence(self, automatic: bool) -> None:
        """Whether requests get a touch by themselves; without one they stay pending."""
        self._send("WebAuthn.setAutomaticPresenceSimulation", enabled=automatic)

    def remove(self) -> None:
        """Detach the authenticator; the page keeps the virtual environment (no real devices)."""
        self._send("WebAuthn.removeVirtualAuthenticator")

    def _send(self, method: str, **params: Any) -> dict[str, Any]:
        return self._session.send(method, {"authenticatorId": self.authenticator_id, **params})


def enable_virtual_environment(page: Page) -> CDPSession:
    """Route the page's WebAuthn calls to virtual authenticators only (none yet)."""
    session = page.context.new_cdp_session(page)
    session.send("WebAuthn.enable", {"enableUI": False})
    return session


def add_virtual_authenticator(
    page: Page,
    *,
    user_verified: bool = True,
    resident_key: bool = True,
    user_verification: bool = True,
    presence: bool = True,
) -> VirtualAuthenticator:
    """A platform-style passkey authenticator (CTAP2, internal transport) for ``page``.

    ``user_verification`` says whether it can verify the user at all; ``user_verified``
    whether that verification succeeds; ``presence`` whether touches happen by themselves.
    """
    session = enable_virtual_environment(page)
    added = session.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": resident_key,
                "hasUserVerification": user_verification,
                "isUserVerified": user_verified,
                "automaticPresenceSimulation": presence,
            }
        },
    )
    return VirtualAuthenticator(session, added["authenticatorId"])


def _credential(raw: dict[str, Any]) -> VirtualCredential:
    handle = raw.get("userHandle")
    return VirtualCredential(
        credential_id=base64.b64decode(raw["credentialId"]),
        rp_id=raw.get("rpId", ""),
        user_handle=base64.b64decode(handle) if handle else None,
        sign_count=int(raw["signCount"]),
        resident=bool(raw["isResidentCredential"]),
    )
