"""A team's own protected page in a real browser: signed out, the page sends the person
to sign in; every way of signing in brings them back; the page shows data read from the
team's API (a real server that accepts only the pool's access tokens) with their token,
fetched on the server."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from passkey_app import routes
from passkey_app.dev.devserver import Stack
from tests.e2e.conftest import screenshot
from tests.e2e.pages import (
    FIRST_LOAD_MS,
    mail_in_outbox,
    sign_out,
    sign_up_with_passkey,
    without_passkey_autofill,
)
from tests.e2e.users import create_password_user, unique_email
from tests.e2e.virtual_authenticator import add_virtual_authenticator

pytestmark = pytest.mark.browser

ORDERS = routes.EXAMPLE_ORDERS


def _open_orders_signed_out(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}{ORDERS}?tab=open", timeout=FIRST_LOAD_MS)
    page.wait_for_url(f"{base_url}/login?next=/examples/orders%3Ftab%3Dopen", timeout=30_000)
    expect(page.get_by_role("button", name="Continue")).to_be_enabled(timeout=FIRST_LOAD_MS)


def _see_orders(page: Page, base_url: str) -> None:
    page.wait_for_url(f"{base_url}{ORDERS}?tab=open", timeout=30_000)
    table = page.get_by_test_id("orders-table")
    expect(table.get_by_text("Hardware security key")).to_be_visible()
    expect(table.get_by_text("A-1002")).to_be_visible()


def test_a_passkey_sign_in_returns_to_the_teams_page_and_shows_its_data(
    stack: Stack, team_api: str, page: Page
) -> None:
    without_passkey_autofill(page)
    add_virtual_authenticator(page)
    sign_up_with_passkey(page, stack.frontend_url, unique_email("orders"))
    sign_out(page, stack.frontend_url)
    _open_orders_signed_out(page, stack.frontend_url)
    screenshot(page, "40-guarded-page-sends-to-sign-in")
    page.get_by_role("button", name="Sign in with a passkey").click()
    _see_orders(page, stack.frontend_url)
    screenshot(page, "41-team-page-with-upstream-data")


def test_a_password_sign_in_returns_to_the_teams_page(
    stack: Stack,
    stack_data_dir,
    team_api: str,
    page: Page,  # type: ignore[no-untyped-def]
) -> None:
    without_passkey_autofill(page)
    user = create_password_user(stack, stack_data_dir, "orders-password")
    _open_orders_signed_out(page, stack.frontend_url)
    page.get_by_label("Email").fill(user.email)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Password", exact=True).fill(user.password)
    page.get_by_role("button", name="Sign in").click()
    _see_orders(page, stack.frontend_url)


def test_an_email_link_returns_to_the_teams_page(
    stack: Stack,
    stack_data_dir,
    team_api: str,
    page: Page,  # type: ignore[no-untyped-def]
) -> None:
    without_passkey_autofill(page)
    user = create_password_user(stack, stack_data_dir, "orders-link")
    _open_orders_signed_out(page, stack.frontend_url)
    page.get_by_label("Email").fill(user.email)
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Forgot password? Email me a link").click()
    page.wait_for_url(f"{stack.frontend_url}/login/link-sent")
    mail = mail_in_outbox(page, stack.frontend_url, user.email)
    mail.frame_locator("iframe").get_by_role("link", name="Sign in").click()
    _see_orders(page, stack.frontend_url)


def test_a_foreign_next_goes_to_the_account_page(
    stack: Stack,
    stack_data_dir,
    page: Page,  # type: ignore[no-untyped-def]
) -> None:
    without_passkey_autofill(page)
    user = create_password_user(stack, stack_data_dir, "orders-evil")
    page.goto(f"{stack.frontend_url}/login?next=//evil.example/", timeout=FIRST_LOAD_MS)
    expect(page.get_by_role("button", name="Continue")).to_be_enabled(timeout=FIRST_LOAD_MS)
    page.get_by_label("Email").fill(user.email)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Password", exact=True).fill(user.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{stack.frontend_url}/account", timeout=30_000)
