"""Fixtures for the fault tests: the local Cognito stand-in as its own process behind a
relay that can go dark (tests/support/fault_proxy.py), and the app's real services
pointed at the relay."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from cryptography.fernet import Fernet
from pydantic import SecretStr

from passkey_app import migrations
from passkey_app.local_cognito.server import wait_until_ready
from passkey_app.services.background import run_now
from passkey_app.services.container import Services, build_services
from passkey_app.settings import Settings
from tests.local_cognito.conftest import KEY_ID, random_key_ring
from tests.support.fault_proxy import FaultProxy, fault_proxy

FAKE_AWS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@dataclass(frozen=True)
class StandInProcess:
    """``python -m passkey_app.local_cognito`` on a free port, and what it provisioned."""

    endpoint_url: str
    pool: dict[str, str]
    keys_json: str

    def client(self) -> Any:
        """A boto3 client straight to the stand-in (never through the relay)."""
        return boto3.client("cognito-idp", endpoint_url=self.endpoint_url, **_boto_args())

    def users_with_email(self, email: str) -> list[dict[str, Any]]:
        """The pool's users whose email is ``email`` (Cognito's own view)."""
        found = self.client().list_users(
            UserPoolId=self.pool["user_pool_id"], Filter=f'email = "{email}"'
        )
        users: list[dict[str, Any]] = found["Users"]
        return users


def _boto_args() -> dict[str, str]:
    return {
        "region_name": FAKE_AWS["AWS_DEFAULT_REGION"],
        "aws_access_key_id": FAKE_AWS["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": FAKE_AWS["AWS_SECRET_ACCESS_KEY"],
    }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def stand_in_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StandInProcess]:
    """One stand-in process for the fault tests (each test uses its own addresses)."""
    data_dir = tmp_path_factory.mktemp("fault-stand-in")
    keys_json, _ = random_key_ring()
    secrets_file = {"proof_keys": keys_json, "proof_active_key_id": KEY_ID, "session_keys": "-"}
    (data_dir / "secrets.json").write_text(json.dumps(secrets_file))
    port = _free_port()
    log = (data_dir / "stand-in.log").open("wb")
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "passkey_app.local_cognito"),
            *("--port", str(port), "--data-dir", str(data_dir)),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, **FAKE_AWS},
    )
    endpoint_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(endpoint_url, timeout=60)
        pool = json.loads((data_dir / "local-cognito.json").read_text())
        yield StandInProcess(endpoint_url=endpoint_url, pool=pool, keys_json=keys_json)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=15)
        log.close()


@pytest.fixture
def relay(stand_in_process: StandInProcess) -> Iterator[FaultProxy]:
    """The relay the app's Cognito client goes through."""
    with fault_proxy(stand_in_process.endpoint_url) as proxy:
        yield proxy


def relayed_settings(
    stand_in: StandInProcess, relay: FaultProxy, *, data_dir: Path, database_url: str
) -> Settings:
    """Settings whose Cognito endpoint is the relay; mail goes straight to the stand-in."""
    pool = stand_in.pool
    return Settings(
        mode="embedded",
        data_dir=data_dir,
        database_url=database_url,
        aws_region=pool["region"],
        cognito_endpoint_url=relay.url,
        ses_endpoint_url=stand_in.endpoint_url,
        user_pool_id=pool["user_pool_id"],
        client_id=pool["client_id"],
        client_secret=SecretStr(pool["client_secret"]),
        proof_keys=SecretStr(stand_in.keys_json),
        proof_active_key_id=KEY_ID,
        session_keys=SecretStr(Fernet.generate_key().decode()),
    )


@pytest.fixture
def relayed_services(
    stand_in_process: StandInProcess,
    relay: FaultProxy,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Services]:
    """The app's services on SQLite, reaching Cognito only through the relay."""
    for name, value in FAKE_AWS.items():
        monkeypatch.setenv(name, value)
    url = f"sqlite:///{tmp_path / 'app.db'}"
    migrations.upgrade(url)
    settings = relayed_settings(stand_in_process, relay, data_dir=tmp_path, database_url=url)
    built = build_services(settings, runner=run_now)
    yield built
    built.engine.dispose()
