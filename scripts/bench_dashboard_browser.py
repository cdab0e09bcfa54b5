"""Benchmark: how long the admin dashboard takes to show in a real browser.

Prints figures, asserts nothing. Needs a running app (`make run`, then `make seed
SIZE=10000` for the 10,000-user figure) and Debian's Chromium:

    .venv/bin/python -m scripts.bench_dashboard_browser [--base-url http://localhost:3000]

Each round opens a page in a fresh tab of a signed-in admin and stops the clock when
the first table row (users) or chart bar (adoption) is on screen.
"""

from __future__ import annotations

import argparse
import statistics
import time

from playwright.sync_api import Page, expect, sync_playwright

from passkey_app import routes
from passkey_app.local_cognito.pool import DEMO_USERS
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

ADMIN = next(user for user in DEMO_USERS if "admin" in user.groups)


def _sign_in(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}{routes.LOGIN}")
    expect(page.get_by_role("button", name="Continue")).to_be_enabled(timeout=120_000)
    page.get_by_label("Email").fill(ADMIN.email)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Password", exact=True).fill(ADMIN.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base_url}{routes.ACCOUNT}", timeout=60_000)


def _time_page(page: Page, url: str, ready_selector: str) -> float:
    started = time.perf_counter()
    page.goto(url)
    page.locator(ready_selector).first.wait_for(state="visible", timeout=120_000)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base-url", default="http://localhost:3000")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    pages = {
        "users (first page)": (routes.ADMIN, "[data-testid=admin-user-row]"),
        "adoption charts": (routes.ADMIN_ADOPTION, ".recharts-bar-rectangle"),
        "audit log": (routes.ADMIN_AUDIT, "[data-testid=audit-row]"),
    }
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        _sign_in(context.new_page(), args.base_url)
        for name, (path, selector) in pages.items():
            seconds = []
            for _ in range(args.rounds):
                page = context.new_page()
                seconds.append(_time_page(page, f"{args.base_url}{path}", selector))
                page.close()
            print(
                f"{name:<20} median {statistics.median(seconds):6.2f} s   "
                f"max {max(seconds):6.2f} s   ({args.rounds} loads)"
            )
        browser.close()


if __name__ == "__main__":
    main()
