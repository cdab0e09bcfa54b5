"""Real-browser fixtures: the whole embedded stack (local AWS, migrations, ``reflex run``)
started exactly as ``make run`` starts it, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from passkey_app.dev.devserver import Stack, StackPorts, start_stack

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
TEST_WEB_DIR = ROOT / ".web-test"
CHROMIUM = os.environ.get("PASSKEY_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


expect.set_options(timeout=15_000)


def free_port() -> int:
    """A port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def stack_ports() -> StackPorts:
    """Fresh ports, so a developer's running `make run` does not collide."""
    return StackPorts(frontend=free_port(), backend=free_port(), local_aws=free_port())


@pytest.fixture(scope="session")
def stack_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The data folder (SQLite, local AWS state, secrets) of the test stack."""
    return tmp_path_factory.mktemp("stack-data")


@pytest.fixture(scope="session")
def team_api_port() -> int:
    """Where the team's own API (tests/support/team_api_server.py) listens."""
    return free_port()


@pytest.fixture(scope="session")
def stack(stack_ports: StackPorts, stack_data_dir: Path, team_api_port: int) -> Iterator[Stack]:
    """The app, as `make run` serves it, on the test ports, with the team's API configured
    as the upstream "orders" and the example page that reads it."""
    log_dir = ARTIFACTS / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    running = start_stack(
        data_dir=stack_data_dir,
        ports=stack_ports,
        log_dir=log_dir,
        hot_reload=False,
        extra_env={
            # A build folder of its own: sharing .web with a running `make run` would point
            # the developer's page at the test backend (and back).
            "REFLEX_WEB_WORKDIR": str(TEST_WEB_DIR),
            "PASSKEY_API_UPSTREAMS": json.dumps({"orders": f"http://127.0.0.1:{team_api_port}/v1"}),
            "PASSKEY_EXAMPLE_UPSTREAM": "orders",
        },
    )
    holder = {"stack": running}
    yield running
    holder["stack"].stop()


@pytest.fixture(scope="session")
def team_api(stack: Stack, stack_data_dir: Path, team_api_port: int) -> Iterator[str]:
    """The team's own API over real HTTP: accepts only the pool's access tokens."""
    log = (ARTIFACTS / "logs" / "team-api.log").open("w")
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "granian"),
            "--interface",
            "asgi",
            "--host",
            "127.0.0.1",
            "--port",
            str(team_api_port),
            "tests.support.team_api_server:app",
        ],
        cwd=ROOT,
        env={**os.environ, "TEAM_API_POOL_FILE": str(stack_data_dir / "local-cognito.json")},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", team_api_port)) == 0:
                break
        time.sleep(0.2)
    yield f"http://127.0.0.1:{team_api_port}/v1"
    process.terminate()
    process.wait(timeout=10)
    log.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium (never a downloaded browser)."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh browser profile per test."""
    created = browser.new_context(viewport={"width": 1280, "height": 800})
    created.set_default_timeout(30_000)
    yield created
    created.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> object:
    """Remember each phase's outcome so fixtures can react to a failed test."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def _record_traffic(tab: Page, lines: list[str]) -> None:
    """Console messages and websocket frames (event names only: payloads can hold
    credentials), kept to explain a failure."""

    def frame(direction: str, payload: str | bytes) -> None:
        text = payload if isinstance(payload, str) else "<binary>"
        name = text.split('"name":"', 1)[1].split('"', 1)[0] if '"name":"' in text else text[:40]
        lines.append(f"{time.monotonic():.3f} {direction} {name.rsplit('.', 1)[-1]}")

    tab.on("console", lambda message: lines.append(f"console.{message.type}: {message.text}"))
    tab.on(
        "websocket",
        lambda ws: (
            ws.on("framesent", lambda payload: frame("sent", payload)),
            ws.on("framereceived", lambda payload: frame("received", payload)),
        ),
    )


@pytest.fixture
def page(context: BrowserContext, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A tab in the fresh profile; a failing test leaves a screenshot and a traffic log."""
    tab = context.new_page()
    traffic: list[str] = []
    _record_traffic(tab, traffic)
    yield tab
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        log_dir = ARTIFACTS / "logs"
        log_dir.mkdir(parents=True, exist_ok=True)
        (log_dir / f"FAILED-{request.node.name}.browser.log").write_text("\n".join(traffic))
        if not tab.is_closed():
            screenshot(tab, f"FAILED-{request.node.name}")


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/screenshots/ to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
