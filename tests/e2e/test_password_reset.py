"""Password self-service in a real browser: "Forgot your password?" on the sign-in card,
the code read from the local outbox (the stand-in mails it as Cognito would), a new
password that signs the person in; and "Change password" on the account page after
"Confirm it's you", signing out the person's other browser."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from passkey_app.dev.devserver import Stack
from tests.e2e.conftest import screenshot
from tests.e2e.pages import (
    enter_email,
    mail_in_outbox,
    open_login,
    sign_in_with_password,
    sign_out,
    without_passkey_autofill,
)
from tests.e2e.stack_database import age_logins
from tests.e2e.users import create_password_user

pytestmark = pytest.mark.browser

NEW_PASSWORD = "Chosen-again-pass-7!"
CODE = re.compile(r"Your verification code is (\d{6})\.")


def _code_from_outbox(context: BrowserContext, base_url: str, email: str) -> str:
    """Open the local outbox in another tab, as a person opens their mail."""
    tab = context.new_page()
    try:
        mail = mail_in_outbox(tab, base_url, email)
        expect(mail).to_contain_text("Your verification code")
        screenshot(tab, "41-password-reset-code-in-outbox")
        body = mail.frame_locator("iframe").locator("body").inner_text()
    finally:
        tab.close()
    found = CODE.search(body)
    assert found, body
    return found.group(1)


def test_a_forgotten_password_is_reset_with_the_mailed_code_and_signs_in(
    stack: Stack, stack_data_dir: Path, context: BrowserContext, page: Page
) -> None:
    user = create_password_user(stack, stack_data_dir, "forgot")
    without_passkey_autofill(page)
    open_login(page, stack.frontend_url)
    enter_email(page, user.email)
    forgot = page.get_by_role("button", name="Forgot your password?")
    expect(forgot).to_be_visible()
    forgot.click()
    code_field = page.get_by_label("Code from the email")
    expect(code_field).to_be_visible()
    expect(page.get_by_role("status")).to_have_text(
        "If this address has an account, we've emailed it a code. Enter it with a new password."
    )
    expect(page.get_by_text("At least 12 characters")).to_be_visible()
    screenshot(page, "40-password-reset-step")

    code = _code_from_outbox(context, stack.frontend_url, user.email)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    code_field.fill(wrong)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Repeat new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set password and sign in").click()
    expect(page.locator("#reset-code-error")).to_have_text(
        "That code isn't right. Check the email and try again."
    )

    code_field.fill(code)
    page.get_by_label("New password", exact=True).fill("all-lower-case")
    page.get_by_label("Repeat new password").fill("all-lower-case")
    page.get_by_role("button", name="Set password and sign in").click()
    expect(page.locator("#reset-password-error")).to_have_text(
        "Choose a password that meets every rule."
    )
    expect(page.get_by_text("An upper-case letter (A-Z) (missing)")).to_be_attached()
    screenshot(page, "42-password-reset-rules-missed")

    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Repeat new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set password and sign in").click()
    page.wait_for_url(f"{stack.frontend_url}/account", timeout=30_000)
    expect(page.get_by_text(user.email)).to_be_visible()
    expect(page.get_by_text("Password changed. You're signed in with it.")).to_be_visible()
    screenshot(page, "43-password-reset-signed-in")

    sign_out(page, stack.frontend_url)
    sign_in_with_password(page, stack.frontend_url, user.email, NEW_PASSWORD)


def test_the_password_is_changed_on_the_account_page_after_confirming(
    stack: Stack, stack_data_dir: Path, browser: Browser, page: Page
) -> None:
    user = create_password_user(stack, stack_data_dir, "change")
    other = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        elsewhere = other.new_page()
        without_passkey_autofill(elsewhere)
        sign_in_with_password(elsewhere, stack.frontend_url, user.email, user.password)

        without_passkey_autofill(page)
        sign_in_with_password(page, stack.frontend_url, user.email, user.password)
        age_logins(stack_data_dir, user.email, minutes=10)
        page.reload()
        page.get_by_role("button", name="Change password").click()
        dialog = page.get_by_role("dialog")
        expect(dialog.get_by_role("heading", name="Confirm it's you")).to_be_visible()
        dialog.get_by_label("Password").fill(user.password)
        dialog.get_by_role("button", name="Confirm").click()

        expect(dialog.get_by_role("heading", name="Change password")).to_be_visible()
        expect(dialog.get_by_text("At least 12 characters")).to_be_visible()
        expect(dialog.get_by_role("checkbox")).to_be_checked()
        dialog.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
        dialog.get_by_label("Repeat new password").fill("Something-else-1!")
        dialog.get_by_role("button", name="Change password").click()
        expect(dialog.locator("#change-repeat-error")).to_have_text(
            "The two passwords don't match."
        )
        dialog.get_by_label("Repeat new password").fill(NEW_PASSWORD)
        screenshot(page, "44-password-change-dialog")
        dialog.get_by_role("button", name="Change password").click()
        expect(page.get_by_role("dialog")).to_have_count(0)
        expect(page.get_by_text("Password changed. Signed out of 1 other session.")).to_be_visible()
        screenshot(page, "45-password-changed")

        elsewhere.reload()
        elsewhere.wait_for_url(re.compile(r".*/login.*"), timeout=30_000)
        sign_out(page, stack.frontend_url)
        sign_in_with_password(page, stack.frontend_url, user.email, NEW_PASSWORD)
    finally:
        other.close()
