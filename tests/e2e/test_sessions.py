"""Sessions and devices in real browsers: two browsers signed in to one account, each
sees both with "This device" on its own row, and one signs the other out."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from passkey_app.dev.devserver import Stack
from tests.e2e.conftest import screenshot
from tests.e2e.pages import FIRST_LOAD_MS, sign_in_with_password
from tests.e2e.users import create_password_user

pytestmark = pytest.mark.browser

OTHER_BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"


def test_sign_out_all_other_sessions_ends_the_other_browsers_session(
    stack: Stack, stack_data_dir: Path, browser: Browser, page: Page
) -> None:
    user = create_password_user(stack, stack_data_dir, "sessions")
    other_context = browser.new_context(
        viewport={"width": 1280, "height": 800}, user_agent=OTHER_BROWSER
    )
    other = other_context.new_page()
    try:
        sign_in_with_password(page, stack.frontend_url, user.email, user.password)
        sign_in_with_password(other, stack.frontend_url, user.email, user.password)

        page.reload()
        rows = page.get_by_test_id("session-row")
        expect(rows).to_have_count(2, timeout=FIRST_LOAD_MS)
        mine = rows.filter(has_text="This device")
        expect(mine).to_have_count(1)
        expect(mine).to_contain_text("Chrome on Linux")
        expect(mine.get_by_role("button")).to_have_count(0)
        theirs = rows.filter(has_text="Firefox on Windows")
        expect(theirs).to_contain_text("Password")
        expect(theirs).not_to_contain_text("This device")
        expect(theirs.get_by_role("button", name="Sign out Firefox on Windows")).to_be_visible()

        other_rows = other.get_by_test_id("session-row")
        expect(other_rows).to_have_count(2)
        expect(other_rows.filter(has_text="This device")).to_contain_text("Firefox on Windows")

        sessions_card = page.get_by_role("heading", name="Sessions and devices")
        sessions_card.scroll_into_view_if_needed()
        shot = screenshot(page, "40-account-sessions-two-browsers")
        assert shot.exists()

        page.get_by_role("button", name="Sign out all other sessions").click()
        expect(page.get_by_text("Signed out of 1 other session")).to_be_visible()
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text("This device")
        expect(page.get_by_role("button", name="Sign out all other sessions")).to_have_count(0)
        screenshot(page, "41-account-sessions-others-signed-out")

        other.goto(f"{stack.frontend_url}/account")
        other.wait_for_url(f"{stack.frontend_url}/login?next=/account", timeout=30_000)
        expect(other.get_by_role("heading", name="Sign in")).to_be_visible()

        page.reload()
        expect(rows).to_have_count(1, timeout=FIRST_LOAD_MS)
    finally:
        other_context.close()
