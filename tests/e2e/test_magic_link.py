"""Flow 3 in a real browser: a passkey-first person on a new device (a fresh browser
profile whose virtual authenticator holds no passkey) asks for an email link, opens it
from the local outbox, lands signed in and creates a passkey on that device; or types
the mail's sign-in code on the device that asked, having read the mail on another."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from passkey_app.dev.devserver import Stack
from tests.e2e.conftest import SCREENSHOTS, screenshot
from tests.e2e.pages import (
    FIRST_LOAD_MS,
    enter_email,
    mail_in_outbox,
    open_login,
    sign_out,
    sign_up_with_passkey,
    without_passkey_autofill,
)
from tests.e2e.users import create_password_user, unique_email
from tests.e2e.virtual_authenticator import add_virtual_authenticator

pytestmark = pytest.mark.browser


def _new_device(browser: Browser) -> Page:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    context.set_default_timeout(30_000)
    tab = context.new_page()
    without_passkey_autofill(tab)
    return tab


def test_a_passkey_user_on_a_new_device_signs_in_by_email_and_adds_a_passkey(
    stack: Stack, page: Page, browser: Browser
) -> None:
    without_passkey_autofill(page)
    add_virtual_authenticator(page)
    email = unique_email("link")
    sign_up_with_passkey(page, stack.frontend_url, email)
    confirm_email_here(page, stack.frontend_url, email)
    sign_out(page, stack.frontend_url)

    phone = _new_device(browser)
    try:
        device = add_virtual_authenticator(phone)
        open_login(phone, stack.frontend_url)
        phone.get_by_label("Email").fill(email)
        phone.get_by_role("button", name="Continue").click()
        ask = phone.get_by_role("button", name="Email me a sign-in link")
        expect(ask).to_be_visible()
        expect(phone.get_by_role("button", name="Use passkey")).to_be_enabled()
        screenshot(phone, "30-magic-link-request")
        ask.click()

        phone.wait_for_url(f"{stack.frontend_url}/login/link-sent")
        expect(phone.get_by_role("heading", name="Check your email")).to_be_visible()
        screenshot(phone, "31-magic-link-sent")

        mail = mail_in_outbox(phone, stack.frontend_url, email)
        button = mail.frame_locator("iframe").get_by_role("link", name="Sign in")
        expect(button).to_be_visible()
        screenshot(phone, "32-magic-link-outbox")
        mail.locator("iframe").screenshot(path=str(SCREENSHOTS / "32b-magic-link-mail.png"))
        button.click()
        phone.wait_for_url(f"{stack.frontend_url}/account", timeout=30_000)
        expect(phone.get_by_text(email)).to_be_visible()
        offer = phone.get_by_text("Add a passkey on this device")
        expect(offer).to_be_visible()
        expect(phone.get_by_test_id("passkey-row")).to_have_count(1)
        screenshot(phone, "33-magic-link-signed-in")

        phone.get_by_role("button", name="Create a passkey").click()
        expect(phone.get_by_test_id("passkey-row")).to_have_count(2)
        expect(offer).to_have_count(0)
        assert len(device.credentials()) == 1
        screenshot(phone, "34-magic-link-passkey-added")
    finally:
        phone.context.close()


CODE_SHOWN = re.compile(r"^[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}$")


def test_the_code_from_the_mail_signs_in_the_device_that_asked(
    stack: Stack, page: Page, browser: Browser
) -> None:
    """The mail is read on the person's phone; the code is typed on the new laptop that
    asked for it, which signs in there without a reload."""
    without_passkey_autofill(page)
    add_virtual_authenticator(page)
    email = unique_email("code")
    sign_up_with_passkey(page, stack.frontend_url, email)
    confirm_email_here(page, stack.frontend_url, email)
    sign_out(page, stack.frontend_url)

    laptop = browser.new_context(viewport={"width": 1280, "height": 800})
    laptop.set_default_timeout(30_000)
    try:
        tab = laptop.new_page()
        without_passkey_autofill(tab)
        add_virtual_authenticator(tab)  # a laptop with no passkey for this site
        open_login(tab, stack.frontend_url)
        tab.get_by_label("Email").fill(email)
        tab.get_by_role("button", name="Continue").click()
        # The passkey request starts at once and finds nothing here; then the link.
        expect(tab.locator("#form-error")).to_contain_text("No passkey was used")
        tab.get_by_role("button", name="Email me a sign-in link").click()
        tab.wait_for_url(re.compile(r"/login/link-sent"))
        assert tab.url == f"{stack.frontend_url}/login/link-sent", tab.url
        field = tab.get_by_label("Or enter the code from the email")
        expect(field).to_be_editable()
        assert field.get_attribute("autocomplete") == "one-time-code"

        mail = mail_in_outbox(page, stack.frontend_url, email)
        shown = mail.frame_locator("iframe").get_by_text(CODE_SHOWN)
        expect(shown).to_be_visible()
        code = shown.inner_text().strip()
        expect(mail.frame_locator("iframe").get_by_text("type this code there")).to_be_visible()
        mail.locator("iframe").screenshot(path=str(SCREENSHOTS / "40-code-mail.png"))

        button = tab.get_by_role("button", name="Sign in with the code")
        field.fill("ABCD-EFGH" if code != "ABCD-EFGH" else "ABCD-EFGJ")
        button.click()
        expect(tab.locator("#sign-in-code-error")).to_have_text(
            "That code isn't right. Check the email and try again."
        )
        expect(field).to_have_attribute("aria-invalid", "true")
        screenshot(tab, "41-code-wrong")

        field.fill(code.lower().replace("-", " "))
        button.click()
        tab.wait_for_url(f"{stack.frontend_url}/account", timeout=30_000)
        expect(tab.get_by_text(email)).to_be_visible()
        screenshot(tab, "42-code-signed-in")
    finally:
        laptop.close()


def confirm_email_here(page: Page, base_url: str, email: str) -> None:
    """The sign-up's own browser opens the "Confirm your email" mail: confirmed, nothing
    else changes."""
    expect(page.get_by_text("Confirm your email")).to_be_visible()
    mail = mail_in_outbox(page, base_url, email)
    mail.frame_locator("iframe").get_by_role("link", name="Confirm my email").click()
    page.wait_for_url(f"{base_url}/account", timeout=30_000)
    expect(page.get_by_text("Email confirmed. Thanks!")).to_be_visible()
    expect(page.get_by_test_id("passkey-row")).to_have_count(1)
    expect(page.get_by_text("Confirm your email")).to_have_count(0)


def test_the_owner_of_an_address_takes_back_an_account_a_stranger_signed_up(
    stack: Stack, page: Page, browser: Browser
) -> None:
    """Pre-hijacking, performed: a stranger signs up with the victim's address and keeps
    a session; the real owner signs in with an email link in their own browser."""
    without_passkey_autofill(page)
    add_virtual_authenticator(page)
    email = unique_email("victim")
    sign_up_with_passkey(page, stack.frontend_url, email)
    expect(page.get_by_text("Confirm your email")).to_be_visible()
    screenshot(page, "38-provisional-account")

    owner = _new_device(browser)
    try:
        add_virtual_authenticator(owner)
        open_login(owner, stack.frontend_url)
        owner.get_by_label("Email").fill(email)
        owner.get_by_role("button", name="Continue").click()
        owner.get_by_role("button", name="Email me a sign-in link").click()
        owner.wait_for_url(f"{stack.frontend_url}/login/link-sent")
        mail = mail_in_outbox(owner, stack.frontend_url, email)
        mail.frame_locator("iframe").get_by_role("link", name="Sign in").click()
        owner.wait_for_url(f"{stack.frontend_url}/account", timeout=30_000)
        notice = owner.get_by_role("status").filter(has_text="This account is yours now")
        expect(notice).to_contain_text("We removed the 1 passkey and ended the 1 session")
        expect(owner.get_by_test_id("passkey-row")).to_have_count(0)
        expect(owner.get_by_text("Confirm your email")).to_have_count(0)
        screenshot(owner, "39-account-claimed")
        owner.get_by_role("button", name="Create a passkey").click()
        expect(owner.get_by_test_id("passkey-row")).to_have_count(1)
        notice.get_by_role("button", name="Got it").click()
        expect(notice).to_have_count(0)
    finally:
        owner.context.close()

    # The stranger's session is gone and their passkey signs in nobody.
    page.goto(f"{stack.frontend_url}/account")
    page.wait_for_url(f"{stack.frontend_url}/login?next=/account")
    expect(page.get_by_role("button", name="Sign in with a passkey")).to_be_enabled()
    page.get_by_role("button", name="Sign in with a passkey").click()
    expect(page.locator("#passkey-button-error")).to_have_text(
        "That passkey couldn't be verified. Try again or use another way to sign in."
    )
    assert page.url.startswith(f"{stack.frontend_url}/login")


def test_a_link_opened_in_another_browser_asks_first(
    stack: Stack, stack_data_dir: Path, page: Page, browser: Browser
) -> None:
    without_passkey_autofill(page)
    user = create_password_user(stack, stack_data_dir, "link-elsewhere")
    open_login(page, stack.frontend_url)
    enter_email(page, user.email)
    page.get_by_role("button", name="Forgot password? Email me a link").click()
    page.wait_for_url(f"{stack.frontend_url}/login/link-sent")

    other = _new_device(browser)
    try:
        mail = mail_in_outbox(other, stack.frontend_url, user.email)
        mail.frame_locator("iframe").get_by_role("link", name="Sign in").click()
        confirm = other.get_by_role("button", name="Sign in on this device")
        expect(confirm).to_be_enabled()
        expect(other.get_by_text(user.email)).to_be_visible()
        screenshot(other, "35-magic-link-confirm-elsewhere")
        confirm.click()
        other.wait_for_url(f"{stack.frontend_url}/account", timeout=30_000)
        expect(other.get_by_text(user.email)).to_be_visible()
    finally:
        other.context.close()


NO_WEBAUTHN_SCRIPT = "delete window.PublicKeyCredential;"


def test_a_browser_without_passkeys_signs_up_by_email_link(stack: Stack, browser: Browser) -> None:
    tab = _new_device(browser)
    tab.add_init_script(NO_WEBAUTHN_SCRIPT)
    email = unique_email("link-signup")
    try:
        tab.goto(f"{stack.frontend_url}/signup", timeout=FIRST_LOAD_MS)
        send = tab.get_by_role("button", name="Email me a sign-up link")
        expect(send).to_be_enabled(timeout=FIRST_LOAD_MS)
        tab.get_by_label("Email").fill(email)
        screenshot(tab, "36-magic-link-signup-no-webauthn")
        send.click()
        tab.wait_for_url(f"{stack.frontend_url}/login/link-sent")
        mail = mail_in_outbox(tab, stack.frontend_url, email)
        mail.frame_locator("iframe").get_by_role("link", name="Create my account").click()
        tab.wait_for_url(f"{stack.frontend_url}/account", timeout=30_000)
        expect(tab.get_by_text(email)).to_be_visible()
        expect(tab.get_by_text("Add a passkey on this device")).to_have_count(0)
        screenshot(tab, "37-magic-link-signed-up")
    finally:
        tab.context.close()
