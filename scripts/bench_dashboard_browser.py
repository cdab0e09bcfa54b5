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
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import dataclass

from playwright.sync_api import Page, WebSocket, expect, sync_playwright

from passkey_app import routes
from passkey_app.local_cognito.pool import DEMO_USERS
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

ADMIN = next(user for user in DEMO_USERS if "admin" in user.groups)


@dataclass(frozen=True)
class Load:
    """One new tab: seconds from navigation to each milestone."""

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


def _time_page(page: Page, url: str, ready_selector: str) -> Load:
    marks: dict[str, float] = {}
    frames: list[float] = []

    def opened(socket: WebSocket) -> None:
        marks.setdefault("socket", time.perf_counter())
        socket.on("framereceived", lambda _frame: frames.append(time.perf_counter()))

    page.on("websocket", opened)
    started = time.perf_counter()
    page.goto(url, wait_until="domcontentloaded")
    loaded = time.perf_counter()
    page.locator(ready_selector).first.wait_for(state="visible", timeout=120_000)
    ready = time.perf_counter()
    data = max((at for at in frames if at <= ready), default=ready)
    return Load(
        loaded - started, marks.get("socket", ready) - started, data - started, ready - started
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
        "floor (account page)": (routes.ACCOUNT, "a:has-text('Admin dashboard')"),
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
