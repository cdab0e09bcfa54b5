"""The state file: a faithful round trip of moto's backends, and nothing else loads."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import boto3
from moto.core.base_backend import BackendDict

from passkey_app.local_cognito import persistence
from tests.local_cognito.conftest import StandIn, secret_hash


class _Exploit:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, ("true",))


def test_state_round_trips_users_tokens_and_mail(stand_in: StandIn, tmp_path: Path) -> None:
    path = tmp_path / persistence.STATE_FILE
    tokens = stand_in.sign_in_with_proof("alice@example.com")
    ses = boto3.client("ses", region_name="us-east-1")
    ses.verify_email_identity(EmailAddress="no-reply@passkeys.localhost")
    persistence.save_state(path)
    username, sub = stand_in.user("alice@example.com")

    BackendDict.reset()  # what a server restart amounts to
    client = stand_in.client
    assert client.list_user_pools(MaxResults=10)["UserPools"] == []

    outcome = persistence.load_state(path)
    restored = client.admin_get_user(
        UserPoolId=stand_in.pool.user_pool_id, Username="alice@example.com"
    )
    identities = boto3.client("sesv2", region_name="us-east-1").list_email_identities()
    refreshed = client.initiate_auth(
        ClientId=stand_in.pool.client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={
            "REFRESH_TOKEN": tokens["RefreshToken"],
            "SECRET_HASH": secret_hash(stand_in.pool, username),
        },
    )

    assert outcome.loaded
    assert restored["Username"] == username
    assert {a["Name"]: a["Value"] for a in restored["UserAttributes"]}["sub"] == sub
    assert [i["IdentityName"] for i in identities["EmailIdentities"]] == [
        "no-reply@passkeys.localhost"
    ]
    assert client.get_user(AccessToken=refreshed["AuthenticationResult"]["AccessToken"])


def test_an_unreadable_file_is_moved_aside(tmp_path: Path) -> None:
    path = tmp_path / persistence.STATE_FILE
    path.write_bytes(b"\x80\x05not a pickle")
    outcome = persistence.load_state(path)
    assert not outcome.loaded
    assert outcome.moved_to is not None and outcome.moved_to.exists()
    assert not path.exists()


def test_a_pickle_with_foreign_classes_is_refused(tmp_path: Path) -> None:
    path = tmp_path / persistence.STATE_FILE
    path.write_bytes(pickle.dumps({"format": 1, "backends": {}, "x": _Exploit()}))
    outcome = persistence.load_state(path)
    assert not outcome.loaded
    assert outcome.problem is not None and "posix.system" in outcome.problem


def test_a_missing_file_loads_nothing(tmp_path: Path) -> None:
    outcome = persistence.load_state(tmp_path / persistence.STATE_FILE)
    assert (outcome.loaded, outcome.moved_to) == (False, None)


def test_changes_are_written_at_most_once_a_second(stand_in: StandIn, tmp_path: Path) -> None:
    from passkey_app.local_cognito.server import SAVE_INTERVAL_SECONDS, PersistingApp

    def ok_app(environ: dict[str, object], start_response: object) -> list[bytes]:
        start_response("200 OK", [])  # type: ignore[operator]
        return [b"{}"]

    path = tmp_path / persistence.STATE_FILE
    app = PersistingApp(ok_app, path)
    change = {"REQUEST_METHOD": "POST", "HTTP_X_AMZ_TARGET": "Cognito.AdminCreateUser"}
    app(change, lambda *_: None)
    assert not path.exists(), "a change alone does not write the file"
    app.save_if_due(0.0)
    assert not path.exists(), "too soon after the last write"
    app.save_if_due(SAVE_INTERVAL_SECONDS + 10**9)
    assert path.exists()
    written = path.stat().st_mtime_ns
    app({"REQUEST_METHOD": "POST", "HTTP_X_AMZ_TARGET": "Cognito.ListUsers"}, lambda *_: None)
    app.save_if_due(2 * SAVE_INTERVAL_SECONDS + 10**9)
    assert path.stat().st_mtime_ns == written, "a read does not make the state dirty"


def test_a_slow_write_is_followed_by_a_longer_pause(stand_in: StandIn, tmp_path: Path) -> None:
    """Pickling a big pool holds the server's lock: at most a tenth of the time goes to it."""
    from passkey_app.local_cognito import server

    def ok_app(environ: dict[str, object], start_response: object) -> list[bytes]:
        start_response("200 OK", [])  # type: ignore[operator]
        return [b"{}"]

    path = tmp_path / persistence.STATE_FILE
    app = server.PersistingApp(ok_app, path)
    change = {"REQUEST_METHOD": "POST", "HTTP_X_AMZ_TARGET": "Cognito.AdminCreateUser"}
    app(change, lambda *_: None)
    app.save()
    app._save_seconds = 0.5  # as if the pickle had taken half a second
    path.unlink()
    app(change, lambda *_: None)
    app.save_if_due(app._last_save + 2 * server.SAVE_INTERVAL_SECONDS)
    assert not path.exists(), "not before ten times the last write's time"
    app.save_if_due(app._last_save + server.SAVE_COST_FACTOR * 0.5)
    assert path.exists()
