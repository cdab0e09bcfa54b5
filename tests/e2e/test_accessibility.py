"""axe-core in a real browser on every page, light and dark, desktop and phone: no
critical or serious violation anywhere, and each moderate or minor one that remains is
named below with its reason (a new one fails)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from passkey_app.dev.devserver import Stack
from passkey_app.local_cognito.pool import DEMO_USERS
from tests.e2e.conftest import ARTIFACTS, ROOT, screenshot
from tests.e2e.pages import (
    FIRST_LOAD_MS,
    enter_email,
    open_login,
    sign_in_with_password,
    sign_out,
    without_passkey_autofill,
)
from tests.e2e.users import create_password_user, unique_email
from tests.e2e.virtual_authenticator import add_virtual_authenticator

pytestmark = pytest.mark.browser

AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = frozenset({"critical", "serious"})
ADMIN = next(user for user in DEMO_USERS if user.email == "admin@example.com")

# (axe rule id, page) -> why it stays. Only moderate or minor rules may be listed.
ALLOWED: dict[tuple[str, str], str] = {}

# React's reports of markup a browser would repair (a <p> inside a <p>, say), which
# break hydration: screen readers and the page then disagree about the structure.
MARKUP_ERROR = re.compile(r"hydrat|cannot be a descendant|cannot contain a nested", re.I)

RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map((v) => ({
    rule: v.id,
    impact: v.impact,
    targets: v.nodes.map((n) => n.target.join(" ")),
    details: v.nodes.map((n) => `${n.html.slice(0, 160)} :: ${n.failureSummary}`),
  }));
}"""


@dataclass(frozen=True)
class Violation:
    """One axe rule broken on one page, with the elements at fault."""

    page: str
    rule: str
    impact: str
    targets: tuple[str, ...]
    details: tuple[str, ...]


def _scan(tab: Page, name: str, found: list[Violation]) -> None:
    """Run axe on what the tab shows now (at rest: no control left hovered by the last
    click) and keep what it reports."""
    tab.mouse.move(0, 0)
    tab.wait_for_load_state("networkidle")
    if not tab.evaluate("typeof window.axe !== 'undefined'"):
        tab.add_script_tag(path=str(AXE_SCRIPT))
    for raw in tab.evaluate(RUN_AXE):
        found.append(
            Violation(
                name, raw["rule"], raw["impact"], tuple(raw["targets"]), tuple(raw["details"])
            )
        )


def _table(view: str, found: list[Violation]) -> str:
    lines = [f"axe-core, {view}: {len(found)} violation(s)"]
    lines += [
        f"  {v.page:<16} {v.impact:<9} {v.rule:<28} {', '.join(v.targets)[:90]}" for v in found
    ]
    return "\n".join(lines)


def _visit_every_page(
    tab: Page, base: str, stack: Stack, data_dir: Path, view: str, found: list[Violation]
) -> None:
    """Each page in the state a person sees it, scanned once per state."""
    without_passkey_autofill(tab)
    add_virtual_authenticator(tab)

    open_login(tab, base)
    _scan(tab, "login-email", found)
    password_user = create_password_user(stack, data_dir, "a11y")
    enter_email(tab, password_user.email)
    _scan(tab, "login-password", found)

    email = unique_email("a11y")
    tab.goto(f"{base}/signup", timeout=FIRST_LOAD_MS)
    expect(tab.get_by_role("button", name="Continue")).to_be_enabled(timeout=FIRST_LOAD_MS)
    _scan(tab, "signup-email", found)
    tab.get_by_label("Email").fill(email)
    tab.get_by_role("button", name="Continue").click()
    expect(tab.get_by_role("button", name="Create passkey")).to_be_enabled()
    _scan(tab, "signup-create", found)
    tab.get_by_role("button", name="Create passkey").click()
    tab.wait_for_url(f"{base}/account", timeout=30_000)
    expect(tab.get_by_test_id("passkey-row")).to_have_count(1)
    _scan(tab, "account", found)
    screenshot(tab, f"a11y-account-{view}")
    sign_out(tab, base)
    _scan(tab, "login-signed-out", found)

    sign_in_with_password(tab, base, ADMIN.email, ADMIN.password)
    tab.goto(f"{base}/admin")
    expect(tab.get_by_role("heading", name="Users")).to_be_visible()
    expect(tab.get_by_role("button", name="Search")).to_be_visible()
    _scan(tab, "admin-users", found)
    screenshot(tab, f"a11y-admin-users-{view}")
    tab.get_by_label("Search by email").fill(email.split("@")[0])
    tab.get_by_role("button", name="Search").click()
    tab.get_by_role("link", name=email).first.click()
    tab.wait_for_url(f"{base}/admin/user?sub=*")
    expect(tab.get_by_role("button", name="Remove passkey Chrome on Linux")).to_be_visible()
    _scan(tab, "admin-user", found)
    tab.get_by_role("link", name="Adoption").click()
    expect(tab.get_by_text("Active users with a passkey")).to_be_visible()
    _scan(tab, "admin-adoption", found)
    tab.get_by_role("link", name="Audit log").click()
    expect(tab.get_by_test_id("audit-row").first).to_be_attached()
    _scan(tab, "admin-audit", found)
    screenshot(tab, f"a11y-admin-audit-{view}")

    tab.goto(f"{base}/login/link-sent", timeout=FIRST_LOAD_MS)
    expect(tab.get_by_role("heading", name="Check your email")).to_be_visible()
    _scan(tab, "link-sent", found)
    tab.goto(f"{base}/dev/outbox", timeout=FIRST_LOAD_MS)
    expect(tab.get_by_test_id("outbox-message").first).to_be_visible()
    _scan(tab, "outbox", found)
    tab.goto(f"{base}/examples/orders", timeout=FIRST_LOAD_MS)
    expect(tab.get_by_test_id("orders-table")).to_be_visible()
    _scan(tab, "example-orders", found)
    tab.goto(f"{base}/forbidden", timeout=FIRST_LOAD_MS)
    expect(tab.get_by_role("heading", name="You don't have access to this page")).to_be_visible()
    _scan(tab, "forbidden", found)


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_page_has_a_serious_or_unexplained_axe_violation(
    browser: Browser,
    stack: Stack,
    stack_data_dir: Path,
    team_api: str,
    scheme: str,
    width: int,
    capsys: pytest.CaptureFixture[str],
) -> None:
    view = f"{scheme}-{'phone' if width < 600 else 'desktop'}"
    context = browser.new_context(
        viewport={"width": width, "height": 844 if width < 600 else 800},
        color_scheme=scheme,  # type: ignore[arg-type]
        is_mobile=width < 600,
        has_touch=width < 600,
    )
    context.set_default_timeout(30_000)
    found: list[Violation] = []
    markup_errors: list[str] = []
    tab = context.new_page()
    tab.on(
        "console",
        lambda message: (
            markup_errors.append(f"{tab.url}: {message.text[:300]}")
            if message.type == "error" and MARKUP_ERROR.search(message.text)
            else None
        ),
    )
    try:
        _visit_every_page(tab, stack.frontend_url, stack, stack_data_dir, view, found)
    finally:
        context.close()
        report = _table(view, found)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        details = [f"{v.page} {v.rule}: {detail}" for v in found for detail in v.details]
        (ARTIFACTS / f"axe-{view}.txt").write_text("\n".join([report, *details]) + "\n")
        with capsys.disabled():
            print("\n" + report)

    blocking = [v for v in found if v.impact in BLOCKING]
    unexplained = [v for v in found if v.impact not in BLOCKING and (v.rule, v.page) not in ALLOWED]
    assert not markup_errors, "\n".join(markup_errors)
    assert not blocking, _table(f"{view}, critical or serious", blocking)
    assert not unexplained, _table(f"{view}, not in ALLOWED", unexplained)
