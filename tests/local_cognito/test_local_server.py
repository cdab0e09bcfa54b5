"""The local server as a developer runs it: a subprocess, state kept across restarts."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3
import pytest

from passkey_app.local_cognito.__main__ import main
from passkey_app.local_cognito.pool import LocalPool
from passkey_app.local_cognito.server import wait_until_ready
from tests.local_cognito.conftest import KEY_ID, StandIn, random_key_ring, secret_hash

FAKE_AWS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def _running_server(data_dir: Path, port: int) -> Iterator[tuple[str, list[str]]]:
    """Start ``python -m passkey_app.local_cognito``; SIGTERM it on the way out."""
    endpoint_url = f"http://127.0.0.1:{port}"
    output: list[str] = []
    process = subprocess.Popen(
        [
            sys.executable,
            *("-m", "passkey_app.local_cognito"),
            *("--port", str(port)),
            *("--data-dir", str(data_dir)),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, **FAKE_AWS},
    )
    try:
        wait_until_ready(endpoint_url, timeout=30)
        yield endpoint_url, output
    finally:
        process.send_signal(signal.SIGTERM)
        stdout, _ = process.communicate(timeout=15)
        output.append(stdout)
    assert process.returncode == 0, stdout


def _cognito(endpoint_url: str) -> Any:
    return boto3.client(
        "cognito-idp",
        endpoint_url=endpoint_url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def test_the_pool_and_its_users_survive_a_restart(tmp_path: Path) -> None:
    port = _free_port()
    keys_json, key_ring = random_key_ring()
    # As the app does on its first start; the server's triggers read their keys from it.
    app_secrets = {"proof_keys": keys_json, "proof_active_key_id": KEY_ID, "session_keys": "-"}
    (tmp_path / "secrets.json").write_text(json.dumps(app_secrets))
    with _running_server(tmp_path, port) as (endpoint_url, first_output):
        written = json.loads((tmp_path / "local-cognito.json").read_text())
        assert written["endpoint_url"] == endpoint_url
        over_http = StandIn(_cognito(endpoint_url), LocalPool(**written), key_ring)
        tokens = over_http.sign_in_with_proof("bob@example.com")
        created = _cognito(endpoint_url).admin_create_user(
            UserPoolId=written["user_pool_id"],
            Username="dave@example.com",
            MessageAction="SUPPRESS",
            UserAttributes=[{"Name": "email", "Value": "dave@example.com"}],
        )["User"]
    assert "(created)" in first_output[0]
    assert "alice@example.com" in first_output[0]
    assert oct((tmp_path / "local-cognito.json").stat().st_mode & 0o777) == "0o600"
    assert oct((tmp_path / "local-aws-state.pickle").stat().st_mode & 0o777) == "0o600"

    with _running_server(tmp_path, port) as (endpoint_url, second_output):
        again = json.loads((tmp_path / "local-cognito.json").read_text())
        over_http = StandIn(_cognito(endpoint_url), LocalPool(**again), key_ring)
        refreshed = over_http.client.initiate_auth(
            ClientId=again["client_id"],
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={
                "REFRESH_TOKEN": tokens["RefreshToken"],
                "SECRET_HASH": secret_hash(over_http.pool, over_http.user("bob@example.com")[0]),
            },
        )["AuthenticationResult"]
        assert over_http.client.get_user(AccessToken=refreshed["AccessToken"])
        user = _cognito(endpoint_url).admin_get_user(
            UserPoolId=again["user_pool_id"], Username="dave@example.com"
        )
    assert again == written
    assert user["Username"] == created["Username"]
    assert "(restored)" in second_output[0]
    assert "carol@example.com" in second_output[0]


def test_a_corrupt_state_file_is_moved_aside(tmp_path: Path) -> None:
    (tmp_path / "local-aws-state.pickle").write_bytes(b"not a pickle")
    with _running_server(tmp_path, _free_port()) as (_, output):
        pass
    assert "could not be read" in output[0]
    assert "(created)" in output[0]
    assert len(list(tmp_path.glob("local-aws-state.pickle.corrupt-*"))) == 1


def test_the_server_listens_on_loopback_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--host", "0.0.0.0", "--data-dir", str(tmp_path)])  # noqa: S104 - refused
    assert exited.value.code == 2
    assert "--host must be a loopback address" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_wait_until_ready_gives_up() -> None:
    with pytest.raises(TimeoutError):
        wait_until_ready(f"http://127.0.0.1:{_free_port()}", timeout=0.2)
