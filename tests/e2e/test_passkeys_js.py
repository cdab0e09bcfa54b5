"""assets/passkeys.js in real Chromium against a virtual authenticator, without Reflex.

Options come from py_webauthn and every result is verified by py_webauthn, so these tests
prove the JSON wiring end to end. ``page.evaluate`` raises when a promise rejects: each
call below returning at all shows the module resolved instead."""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Iterator, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import webauthn
from playwright.sync_api import Page, Route
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url, options_to_json
from webauthn.helpers.cose import COSEAlgorithmIdentifier
from webauthn.helpers.structs import (
    AttestationConveyancePreference,
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from tests.e2e.conftest import ROOT
from tests.e2e.virtual_authenticator import (
    VirtualAuthenticator,
    add_virtual_authenticator,
    enable_virtual_environment,
)

pytestmark = pytest.mark.browser

MODULE = ROOT / "assets" / "passkeys.js"
TEST_PAGE = b"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>passkeys.js</title>
<link rel="icon" href="data:,"><script src="/passkeys.js"></script></head>
<body><input type="email" autocomplete="username webauthn" aria-label="Email"></body></html>
"""
ALGORITHMS = [
    COSEAlgorithmIdentifier.EDDSA,
    COSEAlgorithmIdentifier.ECDSA_SHA_256,
    COSEAlgorithmIdentifier.RSASSA_PKCS1_v1_5_SHA_256,
]
# What Chromium's own toJSON() gives; the fallback serializer must match it.
REGISTRATION_SHAPE = {
    "response": [
        "attestationObject",
        "authenticatorData",
        "clientDataJSON",
        "publicKey",
        "publicKeyAlgorithm",
        "transports",
    ],
    "top": ["authenticatorAttachment", "clientExtensionResults", "id", "rawId", "response", "type"],
}
AUTHENTICATION_SHAPE = {
    "response": ["authenticatorData", "clientDataJSON", "signature", "userHandle"],
    "top": REGISTRATION_SHAPE["top"],
}
WITHOUT_JSON_HELPERS = """() => {
  delete PublicKeyCredential.parseCreationOptionsFromJSON;
  delete PublicKeyCredential.parseRequestOptionsFromJSON;
  delete PublicKeyCredential.prototype.toJSON;
  return [PublicKeyCredential.parseCreationOptionsFromJSON,
          PublicKeyCredential.parseRequestOptionsFromJSON,
          PublicKeyCredential.prototype.toJSON].every((f) => f === undefined);
}"""


class _ModuleHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/passkeys.js":
            self._send(MODULE.read_bytes(), "text/javascript")
        elif self.path == "/":
            self._send(TEST_PAGE, "text/html")
        else:
            self.send_error(404)

    def _send(self, body: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", f"{content_type}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: pytest output is for failures."""


@pytest.fixture(scope="module")
def origin() -> Iterator[str]:
    """The test page's origin: localhost is a secure context, so WebAuthn is on."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ModuleHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://localhost:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def app_page(page: Page, origin: str) -> Iterator[Page]:
    """The test page with passkeys.js loaded; the module must write nothing to the console."""
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text))
    page.goto(f"{origin}/")
    page.wait_for_function("() => typeof window.passkeyApp?.register === 'function'")
    yield page
    assert messages == []


@pytest.fixture
def authenticator(app_page: Page) -> VirtualAuthenticator:
    """A fresh platform authenticator with resident keys and user verification."""
    return add_virtual_authenticator(app_page)


def registration_options(
    *, user_id: bytes, exclude: Sequence[bytes] = (), timeout: int = 60_000
) -> tuple[bytes, dict[str, Any]]:
    """The challenge and JSON options the app's server would send (DESIGN.md's rules)."""
    options = webauthn.generate_registration_options(
        rp_id="localhost",
        rp_name="Passkeys for Cognito",
        user_id=user_id,
        user_name="alice@example.com",
        user_display_name="Alice",
        timeout=timeout,
        attestation=AttestationConveyancePreference.NONE,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            require_resident_key=True,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        exclude_credentials=[PublicKeyCredentialDescriptor(id=i) for i in exclude],
        supported_pub_key_algs=ALGORITHMS,
    )
    return options.challenge, json.loads(options_to_json(options))


def authentication_options(
    *, allow: Sequence[bytes] = (), timeout: int = 60_000
) -> tuple[bytes, dict[str, Any]]:
    """Sign-in options; an empty allow list is the usernameless (and autofill) form."""
    options = webauthn.generate_authentication_options(
        rp_id="localhost",
        timeout=timeout,
        allow_credentials=[PublicKeyCredentialDescriptor(id=i) for i in allow],
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    return options.challenge, json.loads(options_to_json(options))


def call(page: Page, function: str, argument: object = None) -> dict[str, Any]:
    """``window.passkeyApp[function](argument)``, awaited; a hang fails after 10 s."""
    start(page, "called", function, argument)
    result = settled(page, "called", within_ms=10_000)
    assert result is not None, f"{function}() still pending after 10 s"
    return result


def start(page: Page, name: str, function: str, argument: object) -> None:
    """Call without awaiting; the promise is kept as ``window[name]``."""
    page.evaluate(
        "([name, fn, argument]) => { window[name] = window.passkeyApp[fn](argument); }",
        [name, function, argument],
    )


def settled(page: Page, name: str, within_ms: int = 500) -> dict[str, Any] | None:
    """The result of ``window[name]``, or None while it is still pending."""
    result: dict[str, Any] | None = page.evaluate(
        "([name, ms]) => Promise.race([window[name], new Promise((r) => setTimeout(r, ms, null))])",
        [name, within_ms],
    )
    return result


def error_code(result: dict[str, Any]) -> str:
    assert result["ok"] is False, result
    assert set(result["error"]) == {"code"}  # codes only: the words are Python's
    return str(result["error"]["code"])


def shape(credential: dict[str, Any]) -> dict[str, list[str]]:
    return {"top": sorted(credential), "response": sorted(credential["response"])}


def register(page: Page, origin: str, user_id: bytes) -> tuple[bytes, bytes]:
    """A verified registration: the credential id and its public key."""
    challenge, options = registration_options(user_id=user_id)
    result = call(page, "register", options)
    assert result["ok"] is True, result
    assert shape(result["data"]) == REGISTRATION_SHAPE
    verified = webauthn.verify_registration_response(
        credential=result["data"],
        expected_challenge=challenge,
        expected_rp_id="localhost",
        expected_origin=origin,
        require_user_verification=True,
        supported_pub_key_algs=ALGORITHMS,
    )
    return verified.credential_id, verified.credential_public_key


def verify_login(
    result: dict[str, Any], *, challenge: bytes, origin: str, public_key: bytes
) -> dict[str, Any]:
    """Check a sign-in result with py_webauthn; returns the credential JSON."""
    assert result["ok"] is True, result
    assert shape(result["data"]) == AUTHENTICATION_SHAPE
    verified = webauthn.verify_authentication_response(
        credential=result["data"],
        expected_challenge=challenge,
        expected_rp_id="localhost",
        expected_origin=origin,
        credential_public_key=public_key,
        credential_current_sign_count=0,
        require_user_verification=True,
    )
    assert verified.user_verified is True
    credential: dict[str, Any] = result["data"]
    return credential


def test_capabilities_with_a_platform_authenticator(
    app_page: Page, authenticator: VirtualAuthenticator
) -> None:
    result = call(app_page, "capabilities")
    assert result == {"ok": True, "data": {"webauthn": True, "platform": True, "conditional": True}}


def test_register_then_sign_in_with_and_without_an_allow_list(
    app_page: Page, origin: str, authenticator: VirtualAuthenticator
) -> None:
    user_id = secrets.token_bytes(32)
    credential_id, public_key = register(app_page, origin, user_id)
    [stored] = authenticator.credentials()
    assert stored.credential_id == credential_id
    assert (stored.rp_id, stored.user_handle, stored.resident) == ("localhost", user_id, True)

    challenge, options = authentication_options(allow=[credential_id])
    login = call(app_page, "authenticate", options)
    verify_login(login, challenge=challenge, origin=origin, public_key=public_key)

    challenge, options = authentication_options()
    assert "allowCredentials" not in options or options["allowCredentials"] == []
    login = call(app_page, "authenticate", options)
    data = verify_login(login, challenge=challenge, origin=origin, public_key=public_key)
    assert base64url_to_bytes(data["rawId"]) == credential_id
    assert data["response"]["userHandle"] == bytes_to_base64url(user_id)


def test_autofill_resolves_with_the_chosen_passkey(
    app_page: Page, origin: str, authenticator: VirtualAuthenticator
) -> None:
    _, public_key = register(app_page, origin, secrets.token_bytes(32))
    challenge, options = authentication_options()
    # The virtual environment picks the only passkey itself, as a person would.
    login = call(app_page, "autofill", options)
    verify_login(login, challenge=challenge, origin=origin, public_key=public_key)


def test_fallback_parsing_and_serializer_verify_too(
    app_page: Page, origin: str, authenticator: VirtualAuthenticator
) -> None:
    assert app_page.evaluate(WITHOUT_JSON_HELPERS) is True
    user_id = secrets.token_bytes(32)
    credential_id, public_key = register(app_page, origin, user_id)

    challenge, options = authentication_options(allow=[credential_id])
    login = call(app_page, "authenticate", options)
    verify_login(login, challenge=challenge, origin=origin, public_key=public_key)

    challenge, options = authentication_options()
    login = call(app_page, "authenticate", options)
    data = verify_login(login, challenge=challenge, origin=origin, public_key=public_key)
    assert data["response"]["userHandle"] == bytes_to_base64url(user_id)

    _, options = registration_options(user_id=user_id, exclude=[credential_id])
    assert error_code(call(app_page, "register", options)) == "already_registered"


def test_a_device_that_already_holds_the_passkey_is_already_registered(
    app_page: Page, origin: str, authenticator: VirtualAuthenticator
) -> None:
    user_id = secrets.token_bytes(32)
    credential_id, _ = register(app_page, origin, user_id)
    _, options = registration_options(user_id=user_id, exclude=[credential_id])
    assert error_code(call(app_page, "register", options)) == "already_registered"
    assert len(authenticator.credentials()) == 1


def test_failed_user_verification_is_cancelled(
    app_page: Page, origin: str, authenticator: VirtualAuthenticator
) -> None:
    credential_id, _ = register(app_page, origin, secrets.token_bytes(32))
    authenticator.set_user_verified(False)
    # Chromium reports a failed fingerprint/PIN as NotAllowedError (pages may not learn
    # why), and at once, long before the timeout: the module calls that "cancelled".
    _, options = authentication_options(allow=[credential_id])
    assert error_code(call(app_page, "authenticate", options)) == "cancelled"
    _, options = registration_options(user_id=secrets.token_bytes(32))
    assert error_code(call(app_page, "register", options)) == "cancelled"


def test_an_authenticator_without_user_verification_is_cancelled(app_page: Page) -> None:
    add_virtual_authenticator(app_page, user_verification=False, user_verified=False)
    assert call(app_page, "capabilities")["data"]["platform"] is False
    # UV is required; Chromium finds no authenticator able to do it and rejects at once
    # with NotAllowedError, so the module says "cancelled" (not "unsupported").
    _, options = registration_options(user_id=secrets.token_bytes(32))
    assert error_code(call(app_page, "register", options)) == "cancelled"


def test_no_authenticator_times_out(app_page: Page) -> None:
    enable_virtual_environment(app_page)  # no real devices, and no virtual one either
    _, options = authentication_options(timeout=1_000)
    began = time.monotonic()
    # Chromium waits for an authenticator until options.timeout, then NotAllowedError.
    assert error_code(call(app_page, "authenticate", options)) == "timeout"
    assert time.monotonic() - began >= 1.0


def test_a_modal_call_aborts_a_pending_autofill(
    app_page: Page, origin: str, authenticator: VirtualAuthenticator
) -> None:
    credential_id, public_key = register(app_page, origin, secrets.token_bytes(32))
    authenticator.set_presence(False)  # nobody touches the sensor: autofill stays pending
    start(app_page, "autofill", "autofill", authentication_options()[1])
    assert settled(app_page, "autofill") is None

    authenticator.set_presence(True)
    challenge, options = authentication_options(allow=[credential_id])
    login = call(app_page, "authenticate", options)
    assert error_code(settled(app_page, "autofill") or {}) == "aborted"
    verify_login(login, challenge=challenge, origin=origin, public_key=public_key)


def test_registering_aborts_a_pending_autofill(
    app_page: Page, origin: str, authenticator: VirtualAuthenticator
) -> None:
    register(app_page, origin, secrets.token_bytes(32))
    authenticator.set_presence(False)
    start(app_page, "autofill", "autofill", authentication_options()[1])
    assert settled(app_page, "autofill") is None

    authenticator.set_presence(True)
    register(app_page, origin, secrets.token_bytes(32))
    assert error_code(settled(app_page, "autofill") or {}) == "aborted"
    assert len(authenticator.credentials()) == 2


def test_cancel_autofill(app_page: Page, origin: str, authenticator: VirtualAuthenticator) -> None:
    register(app_page, origin, secrets.token_bytes(32))
    authenticator.set_presence(False)
    start(app_page, "autofill", "autofill", authentication_options()[1])
    assert settled(app_page, "autofill") is None
    assert call(app_page, "cancelAutofill") == {"ok": True, "data": None}
    assert error_code(settled(app_page, "autofill") or {}) == "aborted"


def test_autofill_never_interrupts_a_modal_call(
    app_page: Page, origin: str, authenticator: VirtualAuthenticator
) -> None:
    credential_id, _ = register(app_page, origin, secrets.token_bytes(32))
    authenticator.set_presence(False)
    _, options = authentication_options(allow=[credential_id], timeout=2_000)
    start(app_page, "modal", "authenticate", options)
    assert settled(app_page, "modal", within_ms=200) is None
    assert error_code(call(app_page, "autofill", authentication_options()[1])) == "aborted"
    assert error_code(settled(app_page, "modal", within_ms=5_000) or {}) == "timeout"


def test_an_rp_id_foreign_to_the_address_is_a_security_error(
    app_page: Page, authenticator: VirtualAuthenticator
) -> None:
    _, options = registration_options(user_id=secrets.token_bytes(32))
    options["rp"]["id"] = "example.com"
    assert error_code(call(app_page, "register", options)) == "security"


@pytest.mark.parametrize("fallback", [False, True], ids=["native", "fallback"])
@pytest.mark.parametrize(
    "options",
    [None, {}, {"challenge": "not base64url!", "allowCredentials": []}, {"challenge": "A"}],
)
def test_unusable_options_resolve_unknown(
    app_page: Page, authenticator: VirtualAuthenticator, options: object, fallback: bool
) -> None:
    if fallback:
        assert app_page.evaluate(WITHOUT_JSON_HELPERS) is True
    assert error_code(call(app_page, "authenticate", options)) == "unknown"
    assert error_code(call(app_page, "register", options)) == "unknown"
    assert authenticator.credentials() == []


def test_without_webauthn_everything_is_unsupported(app_page: Page) -> None:
    app_page.evaluate("() => { delete window.PublicKeyCredential; }")
    assert call(app_page, "capabilities") == {
        "ok": True,
        "data": {"webauthn": False, "platform": False, "conditional": False},
    }
    _, registration = registration_options(user_id=secrets.token_bytes(32))
    _, authentication = authentication_options()
    assert error_code(call(app_page, "register", registration)) == "unsupported"
    assert error_code(call(app_page, "authenticate", authentication)) == "unsupported"
    assert error_code(call(app_page, "autofill", authentication)) == "unsupported"
    assert call(app_page, "cancelAutofill") == {"ok": True, "data": None}


def test_an_insecure_address_is_a_security_error(page: Page) -> None:
    # A plain-http host name that is not localhost: no secure context, so no WebAuthn.
    # Playwright answers the requests itself; nothing listens on that name.
    def answer(route: Route) -> None:
        if route.request.url.endswith("/passkeys.js"):
            route.fulfill(body=MODULE.read_bytes(), content_type="text/javascript")
        else:
            route.fulfill(body=TEST_PAGE, content_type="text/html")

    page.route("http://passkeys.test/**", answer)
    page.goto("http://passkeys.test/")
    assert page.evaluate("window.isSecureContext") is False
    assert call(page, "capabilities")["data"]["webauthn"] is False
    _, options = authentication_options()
    assert error_code(call(page, "authenticate", options)) == "security"
