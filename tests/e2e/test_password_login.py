"""Flow 1 in a real browser: a seeded password user signs in, reloads, opens a new tab,
signs out; failures show one short message."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from passkey_app.dev.devserver import Stack
from passkey_app.local_cognito.pool import DEMO_USERS
from tests.e2e.conftest import screenshot
from tests.e2e.pages import enter_email, open_login

pytestmark = pytest.mark.browser

ALICE = next(u for u in DEMO_USERS if u.email == "alice@example.com")
CAROL = next(u for u in DEMO_USERS if u.temporary)
WRONG = "That email and password don't match an account."


def test_seeded_user_signs_in_reloads_opens_a_tab_and_signs_out(
    stack: Stack, context: BrowserContext, page: Page
) -> None:
    open_login(page, stack.frontend_url)
    screenshot(page, "01-login-email")
    enter_email(page, ALICE.email)
    screenshot(page, "02-login-password")
    page.get_by_label("Password", exact=True).fill(ALICE.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{stack.frontend_url}/account")
    expect(page.get_by_text(ALICE.email)).to_be_visible()
    expect(page.get_by_role("definition").get_by_text("Password", exact=True)).to_be_visible()
    screenshot(page, "03-account")

    cookies = {c["name"]: c for c in context.cookies()}
    assert cookies["passkey_session"]["httpOnly"] is True
    assert cookies["passkey_session"]["sameSite"] == "Lax"
    assert page.evaluate("document.cookie").find("passkey_session") == -1

    page.reload()
    expect(page.get_by_text(ALICE.email)).to_be_visible()

    second_tab = context.new_page()
    second_tab.goto(f"{stack.frontend_url}/account")
    expect(second_tab.get_by_text(ALICE.email)).to_be_visible()
    second_tab.close()

    page.get_by_role("button", name="Sign out", exact=True).click()
    page.wait_for_url(f"{stack.frontend_url}/login?signed_out=1")
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    assert "passkey_session" not in {c["name"] for c in context.cookies()}

    page.goto(f"{stack.frontend_url}/account")
    page.wait_for_url(f"{stack.frontend_url}/login?next=/account")


def test_wrong_password_and_unknown_email_read_the_same(stack: Stack, page: Page) -> None:
    open_login(page, stack.frontend_url)
    enter_email(page, ALICE.email)
    page.get_by_label("Password", exact=True).fill("Not-her-password-1")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text(WRONG)
    screenshot(page, "04-login-wrong-password")

    page.get_by_role("button", name="Change").click()
    expect(page.get_by_label("Email")).to_have_value(ALICE.email)
    enter_email(page, "nobody-here@example.com")
    page.get_by_label("Password", exact=True).fill("Not-her-password-1")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text(WRONG)


def test_temporary_password_user_chooses_a_new_one(stack: Stack, page: Page) -> None:
    open_login(page, stack.frontend_url)
    enter_email(page, CAROL.email)
    page.get_by_label("Password", exact=True).fill(CAROL.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_label("New password", exact=True)).to_be_visible()
    page.get_by_label("New password", exact=True).fill("Carol-chosen-pass-9")
    page.get_by_label("Repeat new password").fill("Carol-chosen-pass-8")
    page.get_by_role("button", name="Set password and sign in").click()
    expect(page.get_by_role("alert")).to_have_text("The two passwords don't match.")
    page.get_by_label("Repeat new password").fill("Carol-chosen-pass-9")
    screenshot(page, "05-new-password")
    page.get_by_role("button", name="Set password and sign in").click()
    page.wait_for_url(f"{stack.frontend_url}/account")
    expect(page.get_by_text(CAROL.email)).to_be_visible()


def test_phone_and_dark_mode_render_the_login_card(stack: Stack, browser: Browser) -> None:
    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, color_scheme="dark", is_mobile=True
    )
    page = phone.new_page()
    try:
        open_login(page, stack.frontend_url)
        box = page.get_by_role("button", name="Continue").bounding_box()
        assert box is not None and box["width"] <= 390
        screenshot(page, "06-login-phone-dark")
    finally:
        phone.close()


def test_signed_out_account_page_redirects_to_login(stack: Stack, page: Page) -> None:
    page.goto(f"{stack.frontend_url}/account")
    page.wait_for_url(f"{stack.frontend_url}/login?next=/account")
    expect(page.get_by_text(ALICE.email)).to_have_count(0)
