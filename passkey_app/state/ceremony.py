"""The browser half of a WebAuthn ceremony, as Reflex sees it.

Options are prepared on the server before the click, turned into a call of the
assets/passkeys.js module (JSON embedded with json.dumps, never string-built), and
run from the click itself so the browser keeps the user gesture. The module answers
``{ok, data}`` or ``{ok: false, error: {code}}``; anything else is treated as broken.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

BrowserFunction = Literal["register", "authenticate"]
AUTOFILL_DONE_ID = "passkey-autofill-done"

BROWSER_MESSAGES: dict[str, str] = {
    "cancelled": "The passkey request was cancelled.",
    "timeout": "The passkey request timed out. Try again.",
    "already_registered": "This device already has a passkey for your account.",
    "unsupported": "This browser can't use passkeys.",
    "security": "Passkeys aren't available on this address.",
}
GENERIC_BROWSER_MESSAGE = "The passkey request didn't work. Try again."
ABORTED = "aborted"


def browser_call(function: BrowserFunction, options: dict[str, Any]) -> str:
    """JS that runs one ceremony with server-made options."""
    return f"window.passkeyApp.{function}({json.dumps(options)})"


def autofill_call(options: dict[str, Any], *, done_button_id: str) -> str:
    """JS that starts passkey autofill; the button with ``done_button_id`` is clicked when
    the person has picked a passkey (or the request ended)."""
    return f"window.passkeyApp.autofill({json.dumps(options)}, {json.dumps(done_button_id)})"


def forget_call(rp_id: str, credential: dict[str, Any]) -> str | None:
    """JS asking the authenticator to drop a credential the server refused to keep, or
    None when the browser's answer names no credential id."""
    credential_id = credential.get("id")
    if not isinstance(credential_id, str) or not credential_id:
        return None
    return f"window.passkeyApp.forget({json.dumps(rp_id)}, {json.dumps(credential_id[:2048])})"


@dataclass(frozen=True)
class BrowserOutcome:
    """What came back from the browser: the credential JSON, or why not."""

    credential: dict[str, Any] | None
    code: str

    @property
    def message(self) -> str:
        """One short sentence for the person."""
        return BROWSER_MESSAGES.get(self.code, GENERIC_BROWSER_MESSAGE)

    @property
    def aborted(self) -> bool:
        """Our own module cancelled it (autofill replaced by a modal request): say nothing."""
        return self.code == ABORTED


def read_outcome(result: object) -> BrowserOutcome:
    """Interpret what the browser sent back; any client can send anything."""
    if isinstance(result, dict) and result.get("ok") is True:
        data = result.get("data")
        if isinstance(data, dict):
            return BrowserOutcome(credential=data, code="")
        return BrowserOutcome(credential=None, code="malformed")
    error = result.get("error") if isinstance(result, dict) else None
    code = error.get("code") if isinstance(error, dict) else None
    return BrowserOutcome(credential=None, code=code if isinstance(code, str) else "unknown")
