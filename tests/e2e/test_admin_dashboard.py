"""The admin dashboard in a real browser: the 403 page for non-admins, the users table,
a user's page with a confirmed action, the adoption charts (light, dark, phone)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from passkey_app.db import make_engine
from passkey_app.dev.devserver import Stack
from passkey_app.dev.seed import seed
from passkey_app.local_cognito.pool import DEMO_USERS
from passkey_app.settings import Settings
from tests.e2e.conftest import screenshot
from tests.e2e.pages import mail_in_outbox, sign_in_with_password, sign_up_with_passkey
from tests.e2e.users import create_password_user, stack_pool, unique_email
from tests.e2e.virtual_authenticator import add_virtual_authenticator

pytestmark = pytest.mark.browser

ADMIN = next(user for user in DEMO_USERS if user.email == "admin@example.com")


@pytest.fixture(scope="module")
def seeded(stack: Stack, stack_data_dir: Path) -> int:
    """Demo users in the running stack, as `make seed` puts them there."""
    client, pool = stack_pool(stack, stack_data_dir)
    engine = make_engine(Settings(data_dir=stack_data_dir).effective_database_url)
    report = seed(
        client=client, user_pool_id=pool["user_pool_id"], engine=engine, users=80, workers=4
    )
    engine.dispose()
    return report.created


def test_a_non_admin_gets_the_403_page(page: Page, stack: Stack, stack_data_dir: Path) -> None:
    user = create_password_user(stack, stack_data_dir, "not-admin")
    sign_in_with_password(page, stack.frontend_url, user.email, user.password)
    expect(page.get_by_role("link", name="Admin dashboard")).to_have_count(0)
    page.goto(f"{stack.frontend_url}/admin/adoption")
    expect(page.get_by_role("heading", name="You don't have access to this page")).to_be_visible()
    expect(page.get_by_text("Active users with a passkey")).to_have_count(0)
    screenshot(page, "admin-403")


def test_the_admin_sees_users_acts_on_one_and_reads_adoption(
    page: Page, stack: Stack, seeded: int
) -> None:
    assert seeded == 80
    base = stack.frontend_url
    sign_in_with_password(page, base, ADMIN.email, ADMIN.password)
    page.get_by_role("link", name="Admin dashboard").click()
    page.wait_for_url(f"{base}/admin")
    rows = page.get_by_test_id("admin-user-row")
    expect(rows).to_have_count(25)
    expect(page.get_by_text("Page 1")).to_be_visible()
    screenshot(page, "admin-users-light")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("Page 2")).to_be_visible()
    page.get_by_label("Search by email").fill("demo0004")
    page.get_by_role("button", name="Search").click()
    expect(rows).to_have_count(10)
    page.get_by_role("link", name="demo00042@example.org").click()
    expect(page.get_by_text("Recent events")).to_be_visible()
    page.get_by_role("button", name="Disable").click()
    expect(page.get_by_role("alertdialog")).to_contain_text("Disable this account?")
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("button", name="Enable")).to_be_visible()
    expect(page.get_by_text("admin.user_disable")).to_be_visible()
    screenshot(page, "admin-user-light")
    page.get_by_role("link", name="Adoption").click()
    expect(page.get_by_text("Active users with a passkey")).to_be_visible()
    expect(page.locator(".recharts-bar-rectangle").first).to_be_visible()
    screenshot(page, "admin-adoption-light")
    page.emulate_media(color_scheme="dark")
    page.reload()
    expect(page.locator(".recharts-bar-rectangle").first).to_be_visible()
    screenshot(page, "admin-adoption-dark")
    page.get_by_role("link", name="Users").click()
    expect(rows).to_have_count(25)
    screenshot(page, "admin-users-dark")
    page.get_by_role("link", name="Audit log").click()
    expect(page.get_by_test_id("audit-row")).to_have_count(50)
    screenshot(page, "admin-audit-dark")
    page.emulate_media(color_scheme="light")
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_role("link", name="Users").click()
    expect(rows).to_have_count(25)  # the same rows, as cards: no header, nothing to scroll
    expect(rows.first).to_be_visible()
    expect(page.get_by_role("columnheader", name="Email")).to_be_hidden()
    box = page.get_by_role("region", name="Users").bounding_box()
    assert box is not None and box["width"] <= 390
    screenshot(page, "admin-users-phone")


def test_the_admin_removes_a_passkey_and_signs_the_user_out_everywhere(
    page: Page, stack: Stack, browser: Browser
) -> None:
    base = stack.frontend_url
    device = browser.new_context()
    try:
        member = device.new_page()
        add_virtual_authenticator(member)
        email = unique_email("managed")
        sign_up_with_passkey(member, base, email)
        mail = mail_in_outbox(member, base, email)
        expect(mail.get_by_test_id("link-badge")).to_have_count(0)
        expect(mail.get_by_text(re.compile(r"^(just now|1 minute ago)$"))).to_be_visible()
        mail.frame_locator("iframe").get_by_role("link", name="Confirm my email").click()
        expect(member.get_by_text("Email confirmed. Thanks!")).to_be_visible()
        used = mail_in_outbox(member, base, email, subject="Confirm your email")
        expect(used.get_by_test_id("link-badge")).to_have_text("Used")
        expect(used).to_have_attribute("data-link-state", "used")
        screenshot(member, "outbox-used-link")

        sign_in_with_password(page, base, ADMIN.email, ADMIN.password)
        page.goto(f"{base}/admin")
        page.get_by_label("Search by email").fill(email.split("@")[0])
        page.get_by_role("button", name="Search").click()
        page.get_by_role("link", name=email).click()
        remove = page.get_by_role("button", name="Remove passkey Chrome on Linux")
        remove.click()
        expect(page.get_by_role("alertdialog")).to_contain_text("Remove this passkey?")
        page.get_by_role("button", name="Confirm").click()
        expect(remove).to_have_count(0)
        page.get_by_role("button", name="Sign out everywhere").click()
        expect(page.get_by_role("alertdialog")).to_contain_text("Sign out everywhere?")
        page.get_by_role("button", name="Confirm").click()
        expect(page.get_by_text("admin.user_sign_out").first).to_be_visible()
        screenshot(page, "admin-user-after-actions")

        member.goto(f"{base}/account")  # the member's tab was last on the outbox
        member.wait_for_url(f"{base}/login?next=/account")
    finally:
        device.close()
