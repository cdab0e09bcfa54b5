"""Faults on the production profile in a real browser: a backend worker killed during a
sign-in, and Redis (Reflex's state) restarted under open tabs.

One stack for the module: ``reflex run --env prod`` with two Granian workers, a fresh
PostgreSQL database, and a private ``redis-server`` on a free port (never the machine's
shared Redis), so restarting it touches nobody else. Required in CI like the other
production-profile test.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from passkey_app.api.worker_header import HEADER
from passkey_app.db import make_engine, session_scope
from passkey_app.dev.devserver import Stack, StackPorts, start_stack
from passkey_app.models import BrowserSession
from passkey_app.services.errors import MESSAGES, AuthFailure
from tests.conftest import require_service, throwaway_database
from tests.e2e.conftest import ARTIFACTS, free_port
from tests.e2e.pages import FIRST_LOAD_MS, without_passkey_autofill
from tests.e2e.test_production_profile import ACCOUNT_URL, PROD_WEB_DIR, WORKERS
from tests.e2e.users import unique_email
from tests.e2e.virtual_authenticator import add_virtual_authenticator

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis]

TOO_LONG = MESSAGES[AuthFailure.CHALLENGE_EXPIRED]


class PrivateRedis:
    """A redis-server of this test's own, without persistence: a restart loses all."""

    def __init__(self, port: int, log: Path) -> None:
        self.port = port
        self._log = log
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """What REFLEX_REDIS_URL points at."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start it and wait until it answers PING."""
        with self._log.open("ab") as log:
            self._process = subprocess.Popen(
                [
                    *("redis-server", "--port", str(self.port), "--bind", "127.0.0.1"),
                    *("--save", "", "--appendonly", "no"),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        client.close()

    def stop(self) -> None:
        """SIGKILL it: nothing is saved, as when the host dies."""
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signal.SIGKILL)
            self._process.wait(timeout=10)

    def restart(self) -> None:
        """Kill it and start an empty one on the same port."""
        self.stop()
        self.start()

    def keys(self) -> int:
        """How many keys it holds now."""
        client = redis.Redis.from_url(self.url)
        try:
            return len(client.keys("*"))
        finally:
            client.close()


@pytest.fixture(scope="module")
def private_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateRedis]:
    """redis-server on a free port (the binary is required in CI)."""
    server = PrivateRedis(free_port(), tmp_path_factory.mktemp("redis") / "redis.log")
    try:
        server.start()
    except (OSError, redis.RedisError) as error:
        require_service("redis-server", error)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def module_postgres_url() -> Iterator[str]:
    """A throwaway database for the module's stack, dropped afterwards."""
    yield from throwaway_database("passkey_faults")


@pytest.fixture(scope="module")
def faults_stack(
    tmp_path_factory: pytest.TempPathFactory, module_postgres_url: str, private_redis: PrivateRedis
) -> Iterator[Stack]:
    """The production profile with two workers, PostgreSQL and the private Redis."""
    port = free_port()
    log_dir = ARTIFACTS / "logs" / "faults"
    log_dir.mkdir(parents=True, exist_ok=True)
    for old in log_dir.glob("*.log"):
        old.unlink()
    data = tmp_path_factory.mktemp("faults-stack")
    stack = start_stack(
        data_dir=data / "data",
        ports=StackPorts(frontend=port, backend=port, local_aws=free_port()),
        extra_env={
            "PASSKEY_DATABASE_URL": module_postgres_url,
            "REFLEX_REDIS_URL": private_redis.url,
            "GRANIAN_WORKERS": str(WORKERS),
            "PASSKEY_EXPOSE_WORKER_PID": "1",
            "REFLEX_WEB_WORKDIR": str(PROD_WEB_DIR),
            "REFLEX_STATES_WORKDIR": str(data / "states"),
        },
        log_dir=log_dir,
        reflex_args=("--env", "prod"),
        hot_reload=False,
    )
    yield stack
    stack.stop()


def _websocket_handshakes(page: Page) -> list[float]:
    """When each websocket of the tab was opened (a reconnect adds one), read through the
    DevTools protocol. Granian drops headers from a websocket accept, so X-Passkey-Worker
    cannot name the websocket's worker; the test finds it by which kill drops the socket."""
    opened: list[float] = []
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.on("Network.webSocketHandshakeResponseReceived", lambda _: opened.append(time.monotonic()))
    return opened


def _wait_for(page: Page, condition: Callable[[], bool], *, timeout: float, what: str) -> None:
    """Poll ``condition`` while Playwright delivers the tab's events."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        page.wait_for_timeout(200)


def _parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def _children(parent: int) -> set[int]:
    """Live children of ``parent`` (Granian's workers, when it is their supervisor)."""
    children: set[int] = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == parent and fields[0] != "Z":
                children.add(int(entry.name))
    return children


def _session_rows(database_url: str) -> tuple[int, int]:
    """(active sessions, pending sessions whose handoff was never exchanged)."""
    engine = make_engine(database_url)
    try:
        with session_scope(engine) as db:
            total = db.exec(select(func.count()).select_from(BrowserSession)).one()[0]
            pending = db.exec(
                select(func.count())
                .select_from(BrowserSession)
                .where(BrowserSession.token_hash.is_(None))  # type: ignore[union-attr]
            ).one()[0]
    finally:
        engine.dispose()
    return int(total) - int(pending), int(pending)


def _sign_up(page: Page, url: str, email: str) -> None:
    page.goto(f"{url}/signup", timeout=FIRST_LOAD_MS)
    expect(page.get_by_role("button", name="Continue")).to_be_enabled(timeout=FIRST_LOAD_MS)
    page.get_by_label("Email").fill(email)
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Create passkey").click()
    page.wait_for_url(ACCOUNT_URL, timeout=30_000)
    expect(page.get_by_text(email)).to_be_visible()


def _sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out", exact=True).click()
    page.wait_for_url(re.compile(r"/login/?\?signed_out=1$"))
    expect(page.get_by_role("button", name="Sign in with a passkey")).to_be_enabled()


def test_a_worker_killed_during_a_sign_in_is_replaced_and_the_sign_in_finishes(
    faults_stack: Stack, page: Page, module_postgres_url: str
) -> None:
    url = faults_stack.frontend_url
    without_passkey_autofill(page)
    add_virtual_authenticator(page)
    handshakes = _websocket_handshakes(page)
    email = unique_email("killed")
    _sign_up(page, url, email)
    _sign_out(page)  # a full page load: the login card's options are ready on the server
    _wait_for(page, lambda: bool(handshakes), timeout=10, what="the websocket handshake")
    served_by = page.request.get(f"{url}/api/health").headers[HEADER]
    supervisor = _parent(int(served_by))
    workers = _children(supervisor)
    assert len(workers) == WORKERS, workers
    opened = len(handshakes)

    # SIGKILL the worker holding the tab's websocket: the first kill that drops it (a
    # kill that does not is the other worker, replaced the same way).
    killed: list[int] = []
    for victim in sorted(workers):
        os.kill(victim, signal.SIGKILL)
        killed.append(victim)
        _wait_for(
            page,
            lambda: len(_children(supervisor) - set(killed)) == WORKERS,
            timeout=30,
            what="Granian to replace the killed worker",
        )
        with contextlib.suppress(AssertionError):
            _wait_for(page, lambda: len(handshakes) > opened, timeout=5, what="a reconnect")
            break
    assert len(handshakes) > opened, "no kill dropped the tab's websocket"
    assert len(_children(supervisor)) == WORKERS

    # The sign-in in progress finishes, or (the reconnect gave the tab a new Reflex token,
    # so its prepared options are gone) says one short sentence; a click that lands while
    # the reconnected page is still loading may instead be wiped by that load (seen here:
    # the card resets, nothing is said). Either way the next click signs in.
    button_error = page.locator("#passkey-button-error")

    def said() -> str:
        # Read now, without Playwright's wait for the element: while the reconnected page
        # reloads it is briefly not there (nothing said), and text_content() would wait
        # 30 s for it inside this 10 s poll.
        return "".join(button_error.all_text_contents())

    page.get_by_role("button", name="Sign in with a passkey").click()
    with contextlib.suppress(AssertionError):
        _wait_for(
            page,
            lambda: bool(ACCOUNT_URL.search(page.url)) or said() != "",
            timeout=10,
            what="the sign-in to finish or fail",
        )
    if not ACCOUNT_URL.search(page.url):
        assert said() in ("", TOO_LONG)
        page.get_by_role("button", name="Sign in with a passkey").click()
        page.wait_for_url(ACCOUNT_URL, timeout=30_000)
    expect(page.get_by_text(email)).to_be_visible()
    assert _session_rows(module_postgres_url) == (1, 0)  # this sign-in's, none half-opened


def test_redis_restarted_under_open_tabs_the_person_stays_signed_in_and_retries(
    faults_stack: Stack, page: Page, private_redis: PrivateRedis, module_postgres_url: str
) -> None:
    url = faults_stack.frontend_url
    without_passkey_autofill(page)
    add_virtual_authenticator(page)
    email = unique_email("redis")
    _sign_up(page, url, email)
    assert private_redis.keys() > 0

    private_redis.restart()  # every tab's Reflex state is gone
    page.reload()
    expect(page.get_by_text(email)).to_be_visible(timeout=30_000)  # from the cookie session

    _sign_out(page)  # the login card's options are ready in Redis...
    private_redis.restart()  # ...and lost
    page.get_by_role("button", name="Sign in with a passkey").click()
    # The click meets the lost state ("That took too long. Start again."), or lands while
    # the page re-hydrates and is dropped with the old state, or (when the state was
    # prepared again in time) simply signs in; never an error page, and a retry works.
    error = page.locator("#passkey-button-error")
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if ACCOUNT_URL.search(page.url):
            break
        if error.count() and error.inner_text() == TOO_LONG:
            break
        page.wait_for_timeout(250)
    if not ACCOUNT_URL.search(page.url):
        assert not error.count() or error.inner_text() in ("", TOO_LONG)
        expect(page.get_by_role("button", name="Sign in with a passkey")).to_be_enabled()
        page.get_by_role("button", name="Sign in with a passkey").click()
        page.wait_for_url(ACCOUNT_URL, timeout=30_000)
    expect(page.get_by_text(email)).to_be_visible()
    assert _session_rows(module_postgres_url)[1] == 0
