"""Keyboard only: sign in, add a passkey, rename it and sign out without the mouse, with
a visible focus ring at every stop, and dialogs that keep focus inside and give it back."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from passkey_app.dev.devserver import Stack
from tests.e2e.conftest import screenshot
from tests.e2e.pages import open_login, without_passkey_autofill
from tests.e2e.users import create_password_user
from tests.e2e.virtual_authenticator import add_virtual_authenticator

pytestmark = pytest.mark.browser

MAX_TABS = 40

FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  return {
    name: (el.getAttribute("aria-label") || el.innerText || el.id || "").trim(),
    html: el.outerHTML.slice(0, 160),
    path: location.pathname,
    id: el.id,
    inDialog: Boolean(el.closest("[role=dialog], [role=alertdialog]")),
    ring: style.outlineStyle !== "none" || style.boxShadow !== "none",
  };
}"""


def _focused(page: Page) -> dict[str, object]:
    focused = page.evaluate(FOCUSED)
    assert focused is not None, "focus was lost to the page body"
    return focused  # type: ignore[no-any-return]


def _tab_to(page: Page, name: str) -> None:
    """Press Tab until the control named ``name`` has focus; every stop on the way must
    show where the focus is (past the last control, Tab leaves the page for the
    browser's own controls and comes back at the top)."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None:
            continue
        assert focused["ring"], f"no visible focus on {focused['html']!r} at {focused['path']}"
        if focused["name"] == name:
            return
    raise AssertionError(f"{name!r} is not reachable by Tab")


def test_sign_in_add_rename_and_sign_out_by_keyboard_alone(
    page: Page, stack: Stack, stack_data_dir: Path
) -> None:
    base = stack.frontend_url
    user = create_password_user(stack, stack_data_dir, "keys")
    without_passkey_autofill(page)
    add_virtual_authenticator(page)

    open_login(page, base)
    assert _focused(page)["id"] == "email"
    page.keyboard.type(user.email)
    page.keyboard.press("Enter")
    expect(page.get_by_label("Password", exact=True)).to_be_focused()
    page.keyboard.type(user.password)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/account", timeout=30_000)
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    expect(page.locator("main")).to_be_focused()  # as after a page load, not lost

    _tab_to(page, "Create a passkey")
    page.keyboard.press("Enter")
    row = page.get_by_test_id("passkey-row")
    expect(row).to_have_count(1)
    name = row.locator("[data-testid=passkey-name]").inner_text()

    _tab_to(page, f"Rename {name}")
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Name")).to_be_focused()
    for _ in range(6):  # focus stays inside the open dialog
        page.keyboard.press("Tab")
        assert _focused(page)["inDialog"]
    screenshot(page, "keyboard-rename-dialog")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert _focused(page)["name"] == f"Rename {name}"  # focus comes back to the trigger

    page.keyboard.press("Enter")
    expect(dialog.get_by_label("Name")).to_be_focused()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("Work laptop")
    page.keyboard.press("Enter")
    expect(row.locator("[data-testid=passkey-name]")).to_have_text("Work laptop")
    expect(dialog).to_be_hidden()

    _tab_to(page, "Sign out")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/login?signed_out=1")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
