"""The account's life in a real browser: going passwordless once a synced passkey exists
(advice while the only passkey is device-bound), deleting the account with the browser
told to forget its passkeys (the Signal API call recorded by an init script, and obeyed by
Chromium's virtual authenticator), and an admin's invitation from the dashboard to the
outbox to the invitee's first passkey."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from passkey_app.dev.devserver import Stack
from passkey_app.local_cognito.pool import DEMO_USERS
from passkey_app.services.cognito.secret_hash import secret_hash
from tests.e2e.conftest import SCREENSHOTS, screenshot
from tests.e2e.pages import (
    FIRST_LOAD_MS,
    mail_in_outbox,
    sign_in_with_password,
    sign_up_with_passkey,
    without_passkey_autofill,
)
from tests.e2e.users import create_password_user, stack_pool, unique_email
from tests.e2e.virtual_authenticator import (
    VirtualAuthenticator,
    add_virtual_authenticator,
    enable_virtual_environment,
)

pytestmark = pytest.mark.browser

ADMIN = next(user for user in DEMO_USERS if user.email == "admin@example.com")
SIGNALS_KEY = "recordedSignals"
RECORD_SIGNALS = f"""
(() => {{
  if (!window.PublicKeyCredential) return;
  const original = PublicKeyCredential.signalAllAcceptedCredentials;
  PublicKeyCredential.signalAllAcceptedCredentials = function (options) {{
    const calls = JSON.parse(localStorage.getItem("{SIGNALS_KEY}") || "[]");
    calls.push(options);
    localStorage.setItem("{SIGNALS_KEY}", JSON.stringify(calls));
    return original ? original.call(PublicKeyCredential, options) : Promise.resolve();
  }};
}})();
"""


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _recorded_signals(page: Page) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = page.evaluate(
        f"JSON.parse(localStorage.getItem('{SIGNALS_KEY}') || '[]')"
    )
    return found


def _synced_authenticator(page: Page) -> VirtualAuthenticator:
    """A passkey provider that syncs: its credentials are backup eligible and backed up
    (the CDP options defaultBackupEligibility / defaultBackupState)."""
    session = enable_virtual_environment(page)
    added = session.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
                "defaultBackupEligibility": True,
                "defaultBackupState": True,
            }
        },
    )
    return VirtualAuthenticator(session, added["authenticatorId"])


def _password_accepted(stack: Stack, data_dir: Path, email: str, password: str) -> bool:
    client, pool = stack_pool(stack, data_dir)
    try:
        client.admin_initiate_auth(
            UserPoolId=pool["user_pool_id"],
            ClientId=pool["client_id"],
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={
                "USERNAME": email,
                "PASSWORD": password,
                "SECRET_HASH": secret_hash(
                    username=email,
                    client_id=pool["client_id"],
                    client_secret=pool["client_secret"],
                ),
            },
        )
    except client.exceptions.NotAuthorizedException:
        return False
    return True


def test_a_password_user_goes_passwordless_once_a_synced_passkey_exists(
    stack: Stack, stack_data_dir: Path, page: Page
) -> None:
    base = stack.frontend_url
    without_passkey_autofill(page)
    page.add_init_script(RECORD_SIGNALS)
    user = create_password_user(stack, stack_data_dir, "passwordless")
    laptop = add_virtual_authenticator(page)  # device-bound: no backup flags
    sign_in_with_password(page, base, user.email, user.password)
    methods = page.get_by_test_id("sign-in-methods")
    expect(methods).to_contain_text("Add a passkey first")

    page.get_by_role("button", name="Create a passkey").click()
    rows = page.get_by_test_id("passkey-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("This device only")
    advice = page.get_by_test_id("passwordless-advice")
    expect(advice).to_contain_text("Your passkeys are kept on a single device")
    expect(methods.get_by_role("button", name="Remove password")).to_have_count(0)
    methods.scroll_into_view_if_needed()
    screenshot(page, "lifecycle-01-device-bound-advice")

    laptop.remove()
    phone = _synced_authenticator(page)
    page.get_by_role("button", name="Add a passkey").click()
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="Synced")).to_have_count(1)
    remove = methods.get_by_role("button", name="Remove password")
    expect(remove).to_be_visible()
    expect(advice).to_have_count(0)
    methods.scroll_into_view_if_needed()
    screenshot(page, "lifecycle-02-can-remove-password")

    remove.click()
    question = page.get_by_role("alertdialog")
    expect(question).to_contain_text("Remove your password?")
    screenshot(page, "lifecycle-03-remove-password-dialog")
    question.get_by_role("button", name="Remove password").click()
    removed = page.get_by_text("Password removed. You sign in with your passkeys now.")
    expect(removed).to_be_visible()
    expect(methods).to_contain_text("Your account has no password")
    expect(methods).to_contain_text("None since")
    screenshot(page, "lifecycle-04-passwordless")
    assert _password_accepted(stack, stack_data_dir, user.email, user.password) is False
    assert len(phone.credentials()) == 1

    # The synced passkey is now the one safe way in: removing it is refused.
    rows.filter(has_text="Synced").get_by_role("button", name="Remove").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Remove").click()
    expect(page.locator("#delete-error")).to_have_text(
        "This is your only synced passkey and your account has no password. Add another "
        "synced passkey before removing this one."
    )
    page.get_by_role("button", name="Keep it").click()
    expect(rows).to_have_count(2)

    # Removing the device-bound one works, and the browser is told what remains.
    rows.filter(has_text="This device only").get_by_role("button", name="Remove").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Remove").click()
    expect(rows).to_have_count(1)
    synced_id = _b64url(phone.credentials()[0].credential_id)
    page.wait_for_function(f"JSON.parse(localStorage.getItem('{SIGNALS_KEY}') || '[]').length")
    (signal,) = _recorded_signals(page)
    assert signal["rpId"] == "localhost"
    assert signal["allAcceptedCredentialIds"] == [synced_id]

    mail_in_outbox(page, base, user.email)
    notices = page.get_by_test_id("outbox-message").filter(has_text=f"To {user.email}")
    expect(notices.filter(has_text="Your password was removed")).to_have_count(1)


def test_a_person_deletes_their_account_and_the_browser_forgets_its_passkey(
    stack: Stack, stack_data_dir: Path, page: Page
) -> None:
    base = stack.frontend_url
    without_passkey_autofill(page)
    page.add_init_script(RECORD_SIGNALS)
    device = add_virtual_authenticator(page)
    email = unique_email("delete-me")
    sign_up_with_passkey(page, base, email)
    (credential,) = device.credentials()
    assert credential.user_handle is not None

    danger = page.get_by_test_id("danger-zone")
    danger.scroll_into_view_if_needed()
    screenshot(page, "lifecycle-10-danger-zone")
    danger.get_by_role("button", name="Delete account…").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(f"To confirm, type {email}.")
    confirmation = dialog.get_by_label("Your email address")
    confirmation.fill("someone.else@example.com")
    dialog.get_by_role("button", name="Delete my account").click()
    expect(page.locator("#delete-account-error")).to_have_text(
        "Type your email address exactly as shown to confirm."
    )
    confirmation.fill(email.upper())
    screenshot(page, "lifecycle-11-delete-dialog")
    dialog.get_by_role("button", name="Delete my account").click()

    page.wait_for_url(f"{base}/account-deleted", timeout=30_000)
    expect(page.get_by_role("heading", name="Your account is deleted")).to_be_visible()
    screenshot(page, "lifecycle-12-account-deleted")
    assert _recorded_signals(page) == [
        {
            "rpId": "localhost",
            "userId": _b64url(credential.user_handle),
            "allAcceptedCredentialIds": [],
        }
    ]
    assert device.credentials() == []  # Chromium's authenticator obeyed the signal

    client, pool = stack_pool(stack, stack_data_dir)
    with pytest.raises(client.exceptions.UserNotFoundException):
        client.admin_get_user(UserPoolId=pool["user_pool_id"], Username=email)
    page.goto(f"{base}/account", timeout=FIRST_LOAD_MS)
    page.wait_for_url(f"{base}/login?next=/account", timeout=30_000)


def test_an_admin_invites_someone_who_signs_in_from_the_mail_and_creates_a_passkey(
    stack: Stack, page: Page, browser: Browser
) -> None:
    base = stack.frontend_url
    email = unique_email("invitee")
    sign_in_with_password(page, base, ADMIN.email, ADMIN.password)
    page.goto(f"{base}/admin", timeout=FIRST_LOAD_MS)
    invite = page.get_by_label("Invite someone")
    expect(invite).to_be_editable(timeout=FIRST_LOAD_MS)
    invite.fill(email)
    page.get_by_role("button", name="Invite", exact=True).click()
    expect(page.get_by_text(f"Invitation sent to {email}.")).to_be_visible()
    screenshot(page, "lifecycle-20-admin-invited")
    invite.fill(email)
    page.get_by_role("button", name="Invite", exact=True).click()
    expect(page.locator("#invite-error")).to_have_text(
        "That address already has an account. Nothing was sent."
    )

    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    context.set_default_timeout(30_000)
    invitee = context.new_page()
    try:
        without_passkey_autofill(invitee)
        device = _synced_authenticator(invitee)
        mail = mail_in_outbox(invitee, base, email)
        accept = mail.frame_locator("iframe").get_by_role("link", name="Accept invitation")
        expect(accept).to_be_visible()
        shot = SCREENSHOTS / "lifecycle-21-invitation-mail.png"
        mail.locator("iframe").screenshot(path=str(shot))
        link = accept.get_attribute("href")
        assert link is not None
        accept.click()
        confirm = invitee.get_by_role("button", name="Sign in on this device")
        expect(confirm).to_be_enabled()
        confirm.click()
        invitee.wait_for_url(f"{base}/account", timeout=30_000)
        expect(invitee.get_by_text(email)).to_be_visible()
        expect(invitee.get_by_text("Add a passkey on this device")).to_be_visible()
        expect(invitee.get_by_test_id("sign-in-methods")).to_contain_text(
            "Your account has no password"
        )
        invitee.get_by_role("button", name="Create a passkey").click()
        expect(invitee.get_by_test_id("passkey-row")).to_have_count(1)
        assert len(device.credentials()) == 1
        screenshot(invitee, "lifecycle-22-invitee-passkey")

        # The link worked once.
        invitee.goto(link, timeout=FIRST_LOAD_MS)
        expect(invitee.get_by_text("That link has expired or was already used")).to_be_visible()
    finally:
        context.close()
