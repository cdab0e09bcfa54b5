"""The browser half of a WebAuthn ceremony, as Reflex sees it.

Options are prepared on the server before the click, turned into a call of the
assets/passkeys.js module (JSON embedded with json.dumps, never string-built), and
run from the click itself so the browser keeps the user gesture. The module answers
``{ok, data}`` or ``{ok: false, error: {code}}``; anything else is treated as broken.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal

from passkey_app import routes

BrowserFunction = Literal["register", "authenticate"]
AUTOFILL_DONE_ID = "passkey-autofill-done"


class BrowserCode(StrEnum):
    """What assets/passkeys.js can answer instead of a credential (codes only: the
    sentences are here, and a test checks that every code the module returns is listed)."""

    CANCELLED = "cancelled"
    TIMEOUT = "timeout"
    ALREADY_REGISTERED = "already_registered"
    UNSUPPORTED = "unsupported"
    SECURITY = "security"
    ABORTED = "aborted"
    UNKNOWN = "unknown"
    MALFORMED = "malformed"
    REFUSED = "refused"


class CeremonyKind(StrEnum):
    """What a ceremony was for: the same browser code reads differently for each."""

    SIGN_IN = "sign_in"
    CONFIRM = "confirm"
    CREATE = "create"


BROWSER_MESSAGES: dict[BrowserCode, str] = {
    BrowserCode.CANCELLED: "The passkey request was cancelled.",
    BrowserCode.TIMEOUT: "The passkey request timed out. Try again.",
    BrowserCode.ALREADY_REGISTERED: "This device already has a passkey for your account.",
    BrowserCode.UNSUPPORTED: "This browser can't use passkeys.",
    BrowserCode.SECURITY: "Passkeys aren't available on this address.",
    BrowserCode.ABORTED: "The passkey request was stopped.",
    BrowserCode.UNKNOWN: "The passkey request didn't work. Try again.",
    BrowserCode.MALFORMED: "The passkey request didn't work. Try again.",
    BrowserCode.REFUSED: "That sign-in didn't finish in time. Sign in again.",
}
GENERIC_BROWSER_MESSAGE = BROWSER_MESSAGES[BrowserCode.UNKNOWN]

# The browser answers "NotAllowedError" alike when the person dismissed the prompt, when
# the device refused, and when it holds no passkey for this site (on purpose: a page may
# not learn which passkeys exist). The sentence names the likely causes for each kind.
CANCELLED_MESSAGES: dict[CeremonyKind, str] = {
    CeremonyKind.SIGN_IN: (
        "No passkey was used. The request was cancelled, or this device has no passkey "
        "for this site."
    ),
    CeremonyKind.CONFIRM: (
        "Not confirmed. The request was cancelled, or this device has no passkey for your account."
    ),
    CeremonyKind.CREATE: "No passkey was created. The request was cancelled.",
}
ABORTED = BrowserCode.ABORTED.value


def post_navigate_call(url: str, fields: dict[str, str], *, leaving: bool = False) -> str:
    """JS that posts ``fields`` to a backend route in a full page navigation (so the
    response can set or clear an HttpOnly cookie). ``leaving`` (sign-out): the tab also
    drops its Reflex id, so the next page starts from an empty server-side state."""
    arguments = f"{json.dumps(url)}, {json.dumps(fields)}, {json.dumps(leaving)}"
    return f"window.passkeyApp.postNavigate({arguments})"


def handoff_call(api_url: str, code: str, next_path: str = "") -> str:
    """JS that hands a verified sign-in to the cookie route in a background request: the
    response sets the HttpOnly cookie and answers ``{ok, data: {next}}`` with where to
    go (``next_path`` checked again there, or the account page)."""
    fields = {"code": code, "next": next_path} if next_path else {"code": code}
    url = f"{api_url.rstrip('/')}{routes.API_SESSION_ACTIVATE}"
    return f"window.passkeyApp.openSession({json.dumps(url)}, {json.dumps(fields)})"


def focus_main_call(path: str) -> str:
    """JS that moves the focus to the main landmark once ``path`` is on screen (after a
    navigation inside the app, as a page load would)."""
    return f"window.passkeyApp.focusMainAt({json.dumps(path.split('?', 1)[0])})"


def restore_focus_call() -> str:
    """JS that gives the focus back to the control that had it before a dialog opened."""
    return "window.passkeyApp.restoreFocus()"


def result_ok(result: object) -> bool:
    """Whether the browser module answered ``{ok: true, …}``."""
    return isinstance(result, dict) and result.get("ok") is True


def take_autofill_call() -> str:
    """JS that hands over the passkey the person picked from the email field's list."""
    return "window.passkeyApp.takeAutofillResult()"


def capabilities_call() -> str:
    """JS that reports what this browser can do with passkeys (WebAuthn, autofill)."""
    return "window.passkeyApp.capabilities()"


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


MAX_SIGNALLED_IDS = 256


def signal_accepted_call(rp_id: str, user_handle: str, credential_ids: list[str]) -> str:
    """JS telling the browser's passkey provider (Signal API, where it exists) which of this
    site's passkeys for the account with ``user_handle`` the server still accepts: the
    others may be hidden or removed. An empty list after the account is deleted."""
    ids = [credential_id[:2048] for credential_id in credential_ids[:MAX_SIGNALLED_IDS]]
    arguments = ", ".join(json.dumps(value) for value in (rp_id, user_handle[:128], ids))
    return f"window.passkeyApp.signalAccepted({arguments})"


def then_call(first: str, second: str) -> str:
    """JS that runs ``second`` once ``first`` (a call of the module, which always
    resolves) has finished."""
    return f"{first}.then(() => {second})"


@dataclass(frozen=True)
class BrowserOutcome:
    """What came back from the browser: the credential JSON, or why not."""

    credential: dict[str, Any] | None
    code: str

    @property
    def message(self) -> str:
        """One short sentence for the person."""
        known = next((code for code in BrowserCode if code.value == self.code), None)
        return BROWSER_MESSAGES[known] if known else GENERIC_BROWSER_MESSAGE

    def message_for(self, kind: CeremonyKind) -> str:
        """The sentence for this outcome of a ceremony of ``kind``."""
        if self.code == BrowserCode.CANCELLED:
            return CANCELLED_MESSAGES[kind]
        return self.message

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
