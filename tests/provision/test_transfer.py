"""Export and import: every passkey with its owner, idempotent, never stolen by another sub."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from passkey_app import migrations
from passkey_app.db import make_engine, session_scope
from passkey_app.dev.cli import main
from passkey_app.models import PasskeyCredential, WebAuthnUser
from passkey_app.provision.transfer import TransferError, export_document, import_document
from passkey_app.services.webauthn.credential_store import add_passkey, ensure_user
from passkey_app.services.webauthn.encoding import b64url_encode
from passkey_app.services.webauthn.results import NewPasskey

CREATED = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def database(path: Path) -> Engine:
    """A migrated SQLite database."""
    url = f"sqlite:///{path}"
    migrations.upgrade(url)
    return make_engine(url)


def store(engine: Engine, sub: str, credential: bytes, *, handle: str | None = None) -> str:
    """A user (if new) and one passkey, through the app's own credential store."""
    with session_scope(engine) as db:
        user = ensure_user(db, user_sub=sub, username=f"user-{sub}", user_handle=handle, at=CREATED)
        new = NewPasskey(
            credential_id=b64url_encode(credential),
            public_key=b"\xa5\x01\x02" + credential,
            algorithm=-7,
            sign_count=7,
            aaguid="ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4",
            backup_eligible=True,
            backup_state=True,
            transports=("internal", "hybrid"),
            user_handle=user.user_handle,
            user_sub=sub,
            email=None,
        )
        add_passkey(db, user_sub=sub, new=new, name="Pixel", at=CREATED)
        return user.user_handle


@pytest.fixture
def source(tmp_path: Path) -> Engine:
    """Two users, three passkeys."""
    engine = database(tmp_path / "source.db")
    store(engine, "sub-alice", b"\x01" * 32)
    store(engine, "sub-alice", b"\x02" * 64)
    store(engine, "sub-bob", b"\x03" * 16)
    return engine


def test_export_names_every_passkey_with_its_owner(source: Engine) -> None:
    document = export_document(source, rp_id="app.example.com", now=CREATED)
    assert {k: document[k] for k in ("format", "version", "exported_at", "rp_id")} == {
        "format": "passkeys-for-cognito-export",
        "version": 1,
        "exported_at": "2026-01-02T03:04:05Z",
        "rp_id": "app.example.com",
    }
    alice, bob = document["users"]
    assert (alice["sub"], alice["username"], bob["sub"]) == (
        "sub-alice",
        "user-sub-alice",
        "sub-bob",
    )
    assert [p["credential_id"] for p in alice["passkeys"]] == [
        b64url_encode(b"\x01" * 32),
        b64url_encode(b"\x02" * 64),
    ]
    assert bob["passkeys"][0] == {
        "credential_id": "AwMDAwMDAwMDAwMDAwMDAw",
        "public_key": b64url_encode(b"\xa5\x01\x02" + b"\x03" * 16),
        "algorithm": -7,
        "sign_count": 7,
        "aaguid": "ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4",
        "name": "Pixel",
        "backup_eligible": True,
        "backup_state": True,
        "transports": ["internal", "hybrid"],
        "created_at": "2026-01-02T03:04:05Z",
        "last_used_at": None,
    }


def test_import_restores_everything_and_a_second_import_changes_nothing(
    source: Engine, tmp_path: Path
) -> None:
    document = json.loads(json.dumps(export_document(source, rp_id="x", now=CREATED)))
    target = database(tmp_path / "target.db")

    first = import_document(target, document)
    second = import_document(target, document)

    assert (first.users_added, first.passkeys_added, first.passkeys_unchanged) == (2, 3, 0)
    assert (second.users_added, second.passkeys_added, second.passkeys_unchanged) == (0, 0, 3)
    assert export_document(target, rp_id="x", now=CREATED) == document
    with Session(target) as db:
        row = db.exec(
            select(PasskeyCredential).where(PasskeyCredential.user_sub == "sub-bob")
        ).one()
        assert row.public_key == b"\xa5\x01\x02" + b"\x03" * 16


def test_a_credential_owned_by_another_sub_refuses_the_whole_file(
    source: Engine, tmp_path: Path
) -> None:
    document = export_document(source, rp_id="x", now=CREATED)
    target = database(tmp_path / "target.db")
    store(target, "sub-mallory", b"\x03" * 16)

    with pytest.raises(TransferError, match="belongs to another user"):
        import_document(target, document)

    with Session(target) as db:
        assert [u.user_sub for u in db.exec(select(WebAuthnUser)).all()] == ["sub-mallory"]
        assert len(db.exec(select(PasskeyCredential)).all()) == 1


def _broken(document: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(document)
    target: Any = changed
    *parents, last = path.split(".")
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    target[last] = value
    return changed


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("format", "something-else", "not a passkey export"),
        ("version", 2, "unsupported version 2"),
        (
            "users.0.passkeys.0.credential_id",
            "AQ==",
            r"users\[0\].passkeys\[0\].credential_id is not",
        ),
        ("users.0.passkeys.0.public_key", "a+b/", r"users\[0\].passkeys\[0\].public_key is not"),
        ("users.0.passkeys.0.sign_count", True, r"sign_count must be int"),
        ("users.1.sub", None, r"users\[1\].sub must be str"),
    ],
)
def test_malformed_files_are_refused_with_the_place(
    source: Engine, tmp_path: Path, path: str, value: Any, message: str
) -> None:
    document = _broken(export_document(source, rp_id="x", now=CREATED), path, value)
    with pytest.raises(TransferError, match=message):
        import_document(database(tmp_path / "target.db"), document)


def test_cli_export_then_import(
    source: Engine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("PASSKEY_DATABASE_URL", str(source.url))
    exported = tmp_path / "passkeys.json"
    assert main(["export", "--output", str(exported)]) == 0
    assert "exported 3 passkey(s) of 2 user(s)" in capsys.readouterr().err

    target = database(tmp_path / "target.db")
    monkeypatch.setenv("PASSKEY_DATABASE_URL", str(target.url))
    assert main(["import", str(exported)]) == 0
    assert capsys.readouterr().out == "imported 3 passkey(s) and 2 user(s); 0 already present\n"
    assert main(["import", str(exported)]) == 0
    assert capsys.readouterr().out == "imported 0 passkey(s) and 0 user(s); 3 already present\n"

    exported.write_text("{not json")
    assert main(["import", str(exported)]) == 1
    assert capsys.readouterr().err.startswith("error: import: ")
