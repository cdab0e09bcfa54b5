"""``passkey-app dev`` stops on SIGTERM as on Ctrl-C: within seconds, no child process
left behind, and the stand-in's state saved (a user created just before is there)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import boto3
import pytest

from passkey_app.local_cognito.persistence import STATE_FILE
from tests.e2e.conftest import free_port

pytestmark = pytest.mark.browser  # starts the whole dev stack, like the browser tests
BIN = Path(sys.executable).parent


def _descendants(root: int) -> set[int]:
    """Every live process below ``root`` (from /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found: set[int] = set()
    frontier = [root]
    while frontier:
        current = frontier.pop()
        children = {pid for pid, parent in parents.items() if parent == current}
        frontier.extend(children - found)
        found |= children
    return found


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _wait_for(url: str, seconds: float, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"passkey-app dev exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 (loopback)
                return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(url)


def test_sigterm_stops_everything_within_seconds_and_saves_the_stand_in(tmp_path: Path) -> None:
    data = tmp_path / "data"
    frontend, backend, aws = free_port(), free_port(), free_port()
    log = (tmp_path / "dev.log").open("w")
    dev = subprocess.Popen(
        [
            str(BIN / "passkey-app"),
            "dev",
            "--data-dir",
            str(data),
            "--frontend-port",
            str(frontend),
            "--backend-port",
            str(backend),
            "--aws-port",
            str(aws),
        ],
        env={**os.environ, "REFLEX_WEB_WORKDIR": str(tmp_path / "web")},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_for(f"http://127.0.0.1:{backend}/ping", 240, dev)
        pool = json.loads((data / "local-cognito.json").read_text())
        cognito = boto3.client(
            "cognito-idp",
            region_name=pool["region"],
            endpoint_url=pool["endpoint_url"],
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )
        cognito.admin_create_user(
            UserPoolId=pool["user_pool_id"],
            Username="made-just-before-the-stop@example.com",
            MessageAction="SUPPRESS",
        )
        children = _descendants(dev.pid)
        assert len(children) >= 3  # the stand-in, reflex and what reflex runs
        started = time.monotonic()
        dev.send_signal(signal.SIGTERM)
        assert dev.wait(timeout=30) == 0
        took = time.monotonic() - started
    finally:
        if dev.poll() is None:
            dev.kill()
        log.close()
    print(f"stopped in {took:.1f} s")
    assert took < 20
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(_alive(pid) for pid in children):
        time.sleep(0.2)
    assert [pid for pid in children if _alive(pid)] == []
    state = (data / STATE_FILE).read_bytes()
    assert b"made-just-before-the-stop@example.com" in state
