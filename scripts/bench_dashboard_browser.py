"""Benchmark: how long the admin dashboard takes to show in a real browser.

Prints figures, asserts nothing. Needs a running app (`make run`, then `make seed
SIZE=10000` for the 10,000-user figure) and Debian's Chromium:

    .venv/bin/python -m scripts.bench_dashboard_browser [--base-url http://localhost:3000]

Each round opens a page in a fresh tab of a signed-in admin and stops the clock when
the first table row (users, audit log) or chart bar (adoption) is on screen. The
account page is timed the same way as a floor: what any page of the app costs a new
tab (loading the page, opening the event socket, the session check), with no admin
data. Each figure is split into: the page loaded (DOMContentLoaded), the event socket
open, and the first row on screen.

Every figure is read on the page's own clock (milliseconds since the navigation began):
the page looks at every frame and DOM change for the first matching element that is
attached and visible.
Playwright's own wait only says "done" at its next poll, and it polls 0, 20, 50, 100,
100 ms and then every 500 ms: a row that showed at 0.6 s was reported at about 0.95 s.
"""

from __future__ import annotations

import argparse
import json
import statistics
from dataclasses import dataclass

from playwright.sync_api import Page, expect, sync_playwright

from passkey_app import routes
from passkey_app.local_cognito.pool import DEMO_USERS
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

ADMIN = next(user for user in DEMO_USERS if "admin" in user.groups)


@dataclass(frozen=True)
class Load:
    """One new tab: seconds from the navigation's start to each milestone (page clock)."""

    loaded: float
    socket: float
    data: float
    ready: float


def _sign_in(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}{routes.LOGIN}")
    expect(page.get_by_role("button", name="Continue")).to_be_enabled(timeout=120_000)
    page.get_by_label("Email").fill(ADMIN.email)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Password", exact=True).fill(ADMIN.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base_url}{routes.ACCOUNT}", timeout=60_000)


_OBSERVER = """
(selector) => {
  const marks = (window.__bench = {frames: []});
  const NativeSocket = window.WebSocket;
  window.WebSocket = class extends NativeSocket {
    constructor(...args) {
      super(...args);
      this.addEventListener("open", () => { marks.socket ??= performance.now(); });
      this.addEventListener("message", () => marks.frames.push(performance.now()));
    }
  };
  const look = () => {
    if (marks.ready !== undefined) return;
    const found = document.querySelector(selector);
    if (found && found.checkVisibility()) marks.ready = performance.now();
  };
  // Styles arrive through the CSSOM too (no mutation to observe): look every frame as well.
  const everyFrame = () => {
    look();
    if (marks.ready === undefined) requestAnimationFrame(everyFrame);
  };
  requestAnimationFrame(everyFrame);
  new MutationObserver(look).observe(document, {subtree: true, childList: true, attributes: true});
}
"""


def _time_page(page: Page, url: str, ready_selector: str) -> Load:
    page.add_init_script(script=f"({_OBSERVER})({json.dumps(ready_selector)})")
    page.goto(url, wait_until="domcontentloaded")
    page.locator(ready_selector).first.wait_for(state="visible", timeout=120_000)
    page.wait_for_function("window.__bench.ready !== undefined")  # CSS selectors only
    marks = page.evaluate(
        """() => ({
            ...window.__bench,
            loaded: performance.getEntriesByType("navigation")[0].domContentLoadedEventEnd,
        })"""
    )
    ready = marks["ready"] / 1000
    data = max((at for at in marks["frames"] if at <= marks["ready"]), default=marks["ready"])
    return Load(
        marks["loaded"] / 1000, marks.get("socket", marks["ready"]) / 1000, data / 1000, ready
    )


def _median(values: list[float]) -> str:
    return f"{statistics.median(values):5.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base-url", default="http://localhost:3000")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--only", default="", help="time only pages whose name has this")
    args = parser.parse_args()
    pages = {
        "floor (account page)": (routes.ACCOUNT, f"a[href='{routes.ADMIN}']"),
        "users (first page)": (routes.ADMIN, "[data-testid=admin-user-row]"),
        "adoption charts": (routes.ADMIN_ADOPTION, ".recharts-bar-rectangle"),
        "audit log": (routes.ADMIN_AUDIT, "[data-testid=audit-row]"),
    }
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        _sign_in(context.new_page(), args.base_url)
        print(f"new tab to first row, median of {args.rounds} loads each")
        for name, (path, selector) in pages.items():
            if args.only not in name:
                continue
            loads = []
            for _ in range(args.rounds):
                page = context.new_page()
                loads.append(_time_page(page, f"{args.base_url}{path}", selector))
                page.close()
            ready = [load.ready for load in loads]
            print(
                f"{name:<22} first row {_median(ready)} (max {max(ready):5.2f} s)   "
                f"page loaded {_median([load.loaded for load in loads])}   "
                f"socket open {_median([load.socket for load in loads])}   "
                f"last update in {_median([load.data for load in loads])}"
            )
        browser.close()


if __name__ == "__main__":
    main()
