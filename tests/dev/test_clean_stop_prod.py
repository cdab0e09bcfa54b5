"""The production profile stops on SIGTERM as on Ctrl-C, within seconds, no child process
left behind: ``make run-prod`` (also while it is still starting, when the recipe used to
sit in ``wait-healthy`` and only heard the signal once the app was up), and what
``make bench-load`` starts (its stack, with the stand-in's state saved)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import create_engine, text

from passkey_app.dev.devserver import PROJECT_ROOT
from passkey_app.local_cognito.persistence import STATE_FILE
from passkey_app.local_cognito.server import wait_until_ready
from tests.conftest import emptied_redis
from tests.dev.test_clean_stop import _alive, _descendants
from tests.e2e.conftest import free_port
from tests.support.sim_browser import Visit

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis]
REDIS_URL = os.environ.get("PASSKEY_TEST_REDIS_STOP_URL", "redis://127.0.0.1:6379/10")
BENCH_REDIS_URL = os.environ.get("PASSKEY_TEST_REDIS_BENCH_URL", "redis://127.0.0.1:6379/9")
BENCH_DATABASE = f"passkey_bench_stop_{os.getpid()}"
STOP_SECONDS = 20
LOCAL_AWS = {
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@pytest.fixture
def stand_in(tmp_path: Path) -> Iterator[tuple[Path, int]]:
    """The local Cognito, for the app's health check (run-prod does not start one)."""
    data, port = tmp_path / "data", free_port()
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "passkey_app.local_cognito"),
            *("--port", str(port), "--data-dir", str(data)),
        ],
        env={**os.environ, **LOCAL_AWS},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until_ready(f"http://127.0.0.1:{port}", timeout=60)
        yield data, port
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture
def redis_database() -> Iterator[str]:
    """A dedicated Redis DB number, flushed before and after."""
    yield from emptied_redis(REDIS_URL)


def _run_prod(
    tmp_path: Path, data: Path, postgres_url: str, redis_url: str
) -> tuple[subprocess.Popen[bytes], int, Path]:
    port = free_port()
    url = f"http://localhost:{port}"
    log = tmp_path / "run-prod.log"
    make = subprocess.Popen(
        ["make", "--no-print-directory", "run-prod"],
        cwd=PROJECT_ROOT,
        env={
            **os.environ,
            **LOCAL_AWS,
            "PORT": str(port),
            "PASSKEY_DATA_DIR": str(data),
            "PASSKEY_DATABASE_URL": postgres_url,
            "REFLEX_REDIS_URL": redis_url,
            "PASSKEY_FRONTEND_URL": url,
            "PASSKEY_API_URL": url,
            "PASSKEY_ALLOWED_ORIGINS": url,
            "REFLEX_WEB_WORKDIR": str(PROJECT_ROOT / ".web-prod"),
            "REFLEX_STATES_WORKDIR": str(tmp_path / "states"),
        },
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # so a failing test can still end the whole tree
    )
    return make, port, log


def _wait_for_line(log: Path, line: str, process: subprocess.Popen[bytes], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while line not in log.read_text(errors="replace"):
        if process.poll() is not None:
            raise AssertionError(f"exited with {process.returncode}:\n{log.read_text()}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"no {line!r} in {seconds:.0f} s:\n{log.read_text()}")
        time.sleep(0.2)


@contextlib.contextmanager
def _ended(process: subprocess.Popen[bytes]) -> Iterator[None]:
    """Whatever happens in the test, nothing it started outlives it (its own session)."""
    try:
        yield
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)


def _stop(process: subprocess.Popen[bytes], children: set[int]) -> tuple[int, float]:
    """SIGTERM, then how it ended and how long it took; and no child may outlive it."""
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    try:
        code = process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    took = time.monotonic() - started
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(_alive(pid) for pid in children):
        time.sleep(0.2)
    assert [pid for pid in children if _alive(pid)] == []
    return code, took


def test_run_prod_stops_on_sigterm_while_starting(
    tmp_path: Path, stand_in: tuple[Path, int], postgres_url: str, redis_database: str
) -> None:
    make, _, log = _run_prod(tmp_path, stand_in[0], postgres_url, redis_database)
    with _ended(make):
        _wait_for_line(log, "waiting for http", make, 240)  # wait-healthy polls: not up yet
        children = _descendants(make.pid)
        assert any("reflex" in _cmdline(pid) for pid in children)
        code, took = _stop(make, children)
    print(f"stopped while starting in {took:.1f} s")
    assert code == -signal.SIGTERM  # make passes the signal on, then dies of it
    assert took < STOP_SECONDS
    assert "ready on port" not in log.read_text()


def test_run_prod_stops_on_sigterm_with_a_browser_connected(
    tmp_path: Path, stand_in: tuple[Path, int], postgres_url: str, redis_database: str
) -> None:
    make, port, log = _run_prod(tmp_path, stand_in[0], postgres_url, redis_database)
    with _ended(make):
        _wait_for_line(log, f"ready on port {port}", make, 300)
        children = _descendants(make.pid)
        reflex = [pid for pid in children if _cmdline(pid).startswith(f"{sys.executable} ")]
        assert len(reflex) == 3  # Granian's main process and its two workers

        async def stop_with_a_tab_open() -> tuple[int, float]:
            async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as http:
                visit = Visit(http, f"http://localhost:{port}", client_ip="127.0.0.1", timeout=60)
                await visit.open("/login")
                await visit.answer_capabilities()
                result = await asyncio.to_thread(_stop, make, children)
                await visit.close()
                return result

        code, took = asyncio.run(stop_with_a_tab_open())
    print(f"stopped in {took:.1f} s")
    assert code == -signal.SIGTERM
    assert took < STOP_SECONDS
    assert "Reflex app stopped" in log.read_text()


def test_bench_load_stops_on_sigterm_and_the_stand_in_keeps_its_accounts(
    tmp_path: Path, postgres_url: str
) -> None:
    data = tmp_path / "data"
    log = tmp_path / "bench.log"
    bench = subprocess.Popen(
        [
            *(sys.executable, "-m", "scripts.bench_load", "--clients", "2", "--seconds", "600"),
            *("--warmup", "1", "--data-dir", str(data)),
        ],
        cwd=PROJECT_ROOT,
        env={
            **os.environ,
            "PASSKEY_BENCH_POSTGRES_URL": postgres_url,
            "PASSKEY_BENCH_DATABASE": BENCH_DATABASE,
            "PASSKEY_BENCH_REDIS_URL": BENCH_REDIS_URL,
        },
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    with _ended(bench):
        _wait_for_line(log, "accounts: 2 made", bench, 300)
        children = _descendants(bench.pid)
        assert len(children) >= 4  # the stand-in, reflex and its two workers
        code, took = _stop(bench, children)
    print(f"bench stopped in {took:.1f} s")
    assert code == 130
    assert took < STOP_SECONDS
    state = (data / STATE_FILE).read_bytes()
    assert b"bench-00000@example.com" in state and b"bench-00001@example.com" in state
    engine = create_engine(postgres_url.rsplit("/", 1)[0] + "/postgres")
    with engine.connect() as connection:
        left = connection.execute(
            text("SELECT count(*) FROM pg_database WHERE datname = :name"), {"name": BENCH_DATABASE}
        ).scalar_one()
    engine.dispose()
    assert left == 0


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""
