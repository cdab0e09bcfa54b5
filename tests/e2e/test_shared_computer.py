"""One browser tab, two people (a shared computer): nothing of the first shows to the
second, not even for a frame, whether the first signed out or their session ended.

A watcher in the page (installed before the app's scripts on every load) looks at the
page's text and every field's value on each DOM change and every 10 ms, and records
the path where it ever saw the other person's address.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import delete

from passkey_app.dev.devserver import Stack
from passkey_app.models import BrowserSession
from tests.e2e.pages import FIRST_LOAD_MS, open_login, sign_in_with_password, sign_out
from tests.e2e.stack_database import stack_database
from tests.e2e.users import create_password_user

pytestmark = pytest.mark.browser

WATCHER = """
(() => {
  // Armed by the test for the next page load, so the page it arms from is not judged.
  if (localStorage.getItem("watch-next")) {
    localStorage.setItem("watch-for", localStorage.getItem("watch-next"));
    localStorage.removeItem("watch-next");
    localStorage.removeItem("seen-at");
  }
  const look = () => {
    const other = localStorage.getItem("watch-for");
    if (!other || !document.documentElement) return;
    const text = document.documentElement.innerText || "";
    const fields = [...document.querySelectorAll("input, textarea")].map((f) => f.value);
    if (text.includes(other) || fields.some((value) => value.includes(other))) {
      localStorage.setItem("seen-at", localStorage.getItem("seen-at") || location.pathname);
    }
  };
  new MutationObserver(look).observe(document, {
    subtree: true, childList: true, characterData: true, attributes: true,
  });
  setInterval(look, 10);
  look();
})();
"""


def _watch_from_next_load(page: Page, email: str) -> None:
    page.evaluate(
        """(email) => {
            localStorage.removeItem("watch-for");
            localStorage.setItem("watch-next", email);
        }""",
        email,
    )


def _seen_at(page: Page) -> str | None:
    return page.evaluate("localStorage.getItem('seen-at')")  # type: ignore[no-any-return]


def test_the_next_person_in_a_tab_never_sees_the_last_ones_data(
    stack: Stack, stack_data_dir: Path, page: Page
) -> None:
    first = create_password_user(stack, stack_data_dir, "shared-first")
    second = create_password_user(stack, stack_data_dir, "shared-second")
    page.add_init_script(WATCHER)
    base = stack.frontend_url

    # The first person signs in and out; the second uses the same tab.
    sign_in_with_password(page, base, first.email, first.password)
    expect(page.get_by_test_id("session-row")).to_have_count(1, timeout=FIRST_LOAD_MS)
    _watch_from_next_load(page, first.email)
    page.reload()
    # The watcher sees what is on screen.
    page.wait_for_function("localStorage.getItem('seen-at') === '/account'")
    sign_out(page, base)
    expect(page.get_by_label("Email")).to_have_value("")
    _watch_from_next_load(page, first.email)
    page.goto(f"{base}/signup", timeout=FIRST_LOAD_MS)
    expect(page.get_by_label("Email")).to_be_editable(timeout=FIRST_LOAD_MS)
    expect(page.get_by_label("Email")).to_have_value("")
    sign_in_with_password(page, base, second.email, second.password)
    expect(page.get_by_test_id("session-row")).to_have_count(1, timeout=FIRST_LOAD_MS)
    assert _seen_at(page) is None

    # The second person's session ends on the server (expired, or signed out from
    # another device) while the tab still holds their pages; the first signs in there.
    with stack_database(stack_data_dir) as db:
        db.execute(delete(BrowserSession).where(BrowserSession.email == second.email))  # type: ignore[arg-type]
    _watch_from_next_load(page, second.email)
    open_login(page, base)
    page.get_by_label("Email").fill(first.email)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Password", exact=True).fill(first.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/account", timeout=30_000)
    expect(page.get_by_text(first.email).first).to_be_visible()
    expect(page.get_by_test_id("session-row")).to_have_count(1, timeout=FIRST_LOAD_MS)
    assert _seen_at(page) is None
