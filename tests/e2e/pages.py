"""What a person does on the sign-in page, in one place for every browser test."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

FIRST_LOAD_MS = 120_000


def open_login(page: Page, base_url: str) -> None:
    """Open /login and wait until the app is live (the websocket has hydrated the page)."""
    page.goto(f"{base_url}/login", timeout=FIRST_LOAD_MS)
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible(timeout=FIRST_LOAD_MS)
    expect(page.get_by_label("Email")).to_be_editable(timeout=FIRST_LOAD_MS)
    expect(page.get_by_role("button", name="Continue")).to_be_enabled(timeout=FIRST_LOAD_MS)


def enter_email(page: Page, email: str) -> None:
    """Step one."""
    page.get_by_label("Email").fill(email)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_label("Password", exact=True)).to_be_visible()


def sign_in_with_password(page: Page, base_url: str, email: str, password: str) -> None:
    """Both steps, ending on the account page."""
    open_login(page, base_url)
    enter_email(page, email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base_url}/account", timeout=30_000)
    expect(page.get_by_text(email)).to_be_visible()


def sign_out(page: Page, base_url: str) -> None:
    """The header's sign-out button, ending on the login page."""
    page.get_by_role("button", name="Sign out", exact=True).click()
    page.wait_for_url(f"{base_url}/login?signed_out=1")
    expect(page.get_by_role("button", name="Continue")).to_be_enabled()


def sign_up_with_passkey(page: Page, base_url: str, email: str) -> None:
    """Passkey-first sign-up, ending signed in on the account page."""
    page.goto(f"{base_url}/signup", timeout=FIRST_LOAD_MS)
    expect(page.get_by_role("heading", name="Create your account")).to_be_visible(
        timeout=FIRST_LOAD_MS
    )
    expect(page.get_by_role("button", name="Continue")).to_be_enabled()
    page.get_by_label("Email").fill(email)
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Create passkey").click()
    page.wait_for_url(f"{base_url}/account", timeout=30_000)
    expect(page.get_by_text(email)).to_be_visible()


NO_AUTOFILL_SCRIPT = """
if (window.PublicKeyCredential) {
  PublicKeyCredential.isConditionalMediationAvailable = async () => false;
}
"""


def without_passkey_autofill(page: Page) -> None:
    """Make this tab a browser without passkey autofill. Chromium's virtual authenticator
    answers a conditional request at once, which would sign in before any click."""
    page.add_init_script(NO_AUTOFILL_SCRIPT)


def mail_in_outbox(page: Page, base_url: str, email: str, subject: str = "") -> Locator:
    """Open the local outbox; the newest mail to ``email`` (with ``subject`` in it, when
    given: security notices follow many actions); its link is inside the iframe."""
    page.goto(f"{base_url}/dev/outbox", timeout=FIRST_LOAD_MS)
    messages = page.get_by_test_id("outbox-message").filter(has_text=f"To {email}")
    message = (messages.filter(has_text=subject) if subject else messages).first
    expect(message).to_be_visible()
    return message
