"""The production profile in a real browser: ``reflex run --env prod`` (one port, frontend
built by Vite and mounted in the backend), two Granian workers, PostgreSQL for sessions,
challenges and passkeys, Redis as Reflex's state manager. Cognito is the local stand-in.

Each backend HTTP response names its worker (``X-Passkey-Worker``, switched on only here),
so the test proves that a session created through one worker is honoured by the other.
Required in CI (``CI=true``): an unreachable PostgreSQL or Redis fails the test.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from playwright.sync_api import Browser, Page, Response, expect
from sqlalchemy import func, select

from passkey_app.api.worker_header import HEADER
from passkey_app.db import make_engine, session_scope
from passkey_app.dev.devserver import PROJECT_ROOT, Stack, StackPorts, start_stack
from passkey_app.models import BrowserSession, PasskeyCredential
from tests.conftest import emptied_redis
from tests.e2e.conftest import ARTIFACTS, free_port, screenshot
from tests.e2e.pages import without_passkey_autofill
from tests.e2e.users import unique_email
from tests.e2e.virtual_authenticator import add_virtual_authenticator

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis]

REDIS_URL = os.environ.get("PASSKEY_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
# Reused between runs so the frontend's node packages are installed once, not per run.
PROD_WEB_DIR = PROJECT_ROOT / ".web-prod"
WORKERS = 2
MAX_FRESH_CONTEXTS = 12
# The production build serves pages as folders: /account redirects to /account/.
ACCOUNT_URL = re.compile(r"/account/?$")


@pytest.fixture
def redis_database() -> Iterator[str]:
    """A dedicated Redis DB number, flushed before and after."""
    yield from emptied_redis(REDIS_URL)


@pytest.fixture
def prod_stack(tmp_path: Path, postgres_url: str, redis_database: str) -> Iterator[Stack]:
    """The app as ``make run-prod`` serves it, on one fresh port."""
    port = free_port()
    log_dir = ARTIFACTS / "logs" / "prod"
    log_dir.mkdir(parents=True, exist_ok=True)
    for old in log_dir.glob("*.log"):
        old.unlink()
    started = time.perf_counter()
    stack = start_stack(
        data_dir=tmp_path / "data",
        ports=StackPorts(frontend=port, backend=port, local_aws=free_port()),
        extra_env={
            "PASSKEY_DATABASE_URL": postgres_url,
            "REFLEX_REDIS_URL": redis_database,
            "GRANIAN_WORKERS": str(WORKERS),
            "PASSKEY_EXPOSE_WORKER_PID": "1",
            "REFLEX_WEB_WORKDIR": str(PROD_WEB_DIR),
            "REFLEX_STATES_WORKDIR": str(tmp_path / "states"),
        },
        log_dir=log_dir,
        reflex_args=("--env", "prod"),
        hot_reload=False,
    )
    _record_figure("prod_start_seconds", time.perf_counter() - started)
    yield stack
    stack.stop()


def test_passkey_sign_up_and_login_across_two_workers(
    prod_stack: Stack, page: Page, browser: Browser, postgres_url: str, redis_database: str
) -> None:
    started = time.perf_counter()
    url = prod_stack.frontend_url
    # What `make run-prod` waits on: every part reachable, and nothing else said.
    waited = subprocess.run(
        [str(Path(sys.executable).parent / "passkey-app"), "wait-healthy", f"{url}/api/health"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert waited.stdout.strip().splitlines()[-1] == (
        "healthy: {'database': 'ok', 'redis': 'ok', 'cognito': 'ok'}"
    )
    workers_seen: set[str] = set()
    page.on("response", lambda response: _note_worker(response, url, workers_seen))
    without_passkey_autofill(page)
    authenticator = add_virtual_authenticator(page)
    email = unique_email("prod")

    _sign_up_with_passkey(page, url, email)
    expect(page.get_by_test_id("passkey-row")).to_have_count(1)
    page.get_by_role("button", name="Sign out", exact=True).click()
    page.wait_for_url(re.compile(r"/login/?\?signed_out=1$"))
    expect(page.get_by_role("button", name="Continue")).to_be_enabled()
    page.get_by_label("Email").fill(email)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(ACCOUNT_URL)
    expect(page.get_by_text(email)).to_be_visible()
    screenshot(page, "60-prod-profile-account-after-passkey-login")
    assert authenticator.credentials()[0].sign_count >= 1

    served_signed_in = _open_account_until_both_workers(browser, page, url, email)
    assert len(served_signed_in) == WORKERS, served_signed_in
    assert workers_seen <= _worker_pids(prod_stack), (workers_seen, _worker_pids(prod_stack))

    engine = make_engine(postgres_url)
    with session_scope(engine) as db:
        assert db.exec(select(func.count()).select_from(PasskeyCredential)).one()[0] == 1
        # Sign-out deleted the sign-up session; the passkey login made the one left.
        assert db.exec(select(func.count()).select_from(BrowserSession)).one()[0] == 1
    engine.dispose()
    state_keys = redis.Redis.from_url(redis_database).keys("*")
    assert state_keys, "Reflex kept no state in Redis"
    _record_figure("prod_browser_flow_seconds", time.perf_counter() - started)


def _sign_up_with_passkey(page: Page, url: str, email: str) -> None:
    """Like pages.sign_up_with_passkey, but the static build serves ``/account/``."""
    page.goto(f"{url}/signup")
    expect(page.get_by_role("heading", name="Create your account")).to_be_visible()
    expect(page.get_by_role("button", name="Continue")).to_be_enabled()
    page.get_by_label("Email").fill(email)
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Create passkey").click()
    page.wait_for_url(ACCOUNT_URL, timeout=30_000)
    expect(page.get_by_text(email)).to_be_visible()


def _open_account_until_both_workers(
    browser: Browser, page: Page, url: str, email: str
) -> dict[str, str]:
    """Open /account with the signed-in cookie in fresh browser profiles (fresh
    connections) until a signed-in page came from each worker; worker pid -> email."""
    cookies = page.context.cookies()
    served: dict[str, str] = {}
    for _ in range(MAX_FRESH_CONTEXTS):
        context = browser.new_context()
        try:
            context.add_cookies(cookies)  # type: ignore[arg-type]
            tab = context.new_page()
            response = tab.goto(f"{url}/account", timeout=60_000)
            assert response is not None and response.ok
            expect(tab.get_by_text(email)).to_be_visible()
            pid = response.headers.get(HEADER)
            assert pid, f"{HEADER} missing: is PASSKEY_EXPOSE_WORKER_PID honoured?"
            served[pid] = email
        finally:
            context.close()
        if len(served) == WORKERS:
            break
    return served


def _note_worker(response: Response, url: str, seen: set[str]) -> None:
    if response.url.startswith(url) and (pid := response.headers.get(HEADER)):
        seen.add(pid)


def _worker_pids(stack: Stack) -> set[str]:
    """Children of the reflex process tree that Granian spawned (from /proc)."""
    reflex_pgid = stack.processes[-1].pid
    pids = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[2]) == reflex_pgid:  # field 5 of stat: the process group
            pids.add(entry.name)
    return pids


def _record_figure(name: str, seconds: float) -> None:
    """Figures for the report, never asserted."""
    path = ARTIFACTS / "prod-profile-timings.json"
    figures = json.loads(path.read_text()) if path.exists() else {}
    figures[name] = round(seconds, 1)
    path.write_text(json.dumps(figures, indent=2))
