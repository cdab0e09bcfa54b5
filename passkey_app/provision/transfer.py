"""``passkey-app export`` / ``import``: every passkey with its owner, as documented JSON.

The format is described in docs/export-format.md. Binary values are unpadded base64url.
Import is idempotent (a passkey already stored for the same owner is skipped) and all or
nothing: a credential id or user handle owned by another user refuses the whole file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from passkey_app.db import session_scope
from passkey_app.models import PASSKEY_NAME_LENGTH, PasskeyCredential, WebAuthnUser
from passkey_app.services.webauthn.encoding import b64url_decode, b64url_encode

FORMAT = "passkeys-for-cognito-export"
VERSION = 1


class TransferError(ValueError):
    """The file cannot be imported; the message says which entry and why."""


@dataclass(frozen=True)
class ImportResult:
    """What an import did."""

    users_added: int
    passkeys_added: int
    passkeys_unchanged: int


def export_document(engine: Engine, *, rp_id: str, now: datetime | None = None) -> dict[str, Any]:
    """Every WebAuthn user and their passkeys."""
    with Session(engine) as db:
        users = db.exec(select(WebAuthnUser).order_by(col(WebAuthnUser.user_sub))).all()
        passkeys = db.exec(select(PasskeyCredential).order_by(col(PasskeyCredential.id))).all()
    by_owner: dict[str, list[dict[str, Any]]] = {}
    for passkey in passkeys:
        by_owner.setdefault(passkey.user_sub, []).append(_passkey_entry(passkey))
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": _iso(now or datetime.now(UTC)),
        "rp_id": rp_id,
        "users": [
            {
                "sub": user.user_sub,
                "username": user.username,
                "user_handle": user.user_handle,
                "created_by_passkey": user.created_by_passkey,
                "created_at": _iso(user.created_at),
                "passkeys": by_owner.get(user.user_sub, []),
            }
            for user in users
        ],
    }


def _passkey_entry(passkey: PasskeyCredential) -> dict[str, Any]:
    return {
        "credential_id": passkey.credential_id,
        "public_key": b64url_encode(passkey.public_key),
        "algorithm": passkey.algorithm,
        "sign_count": passkey.sign_count,
        "aaguid": passkey.aaguid,
        "name": passkey.name,
        "backup_eligible": passkey.backup_eligible,
        "backup_state": passkey.backup_state,
        "transports": json.loads(passkey.transports or "[]"),
        "created_at": _iso(passkey.created_at),
        "last_used_at": _iso(passkey.last_used_at) if passkey.last_used_at else None,
    }


def import_document(engine: Engine, document: Any) -> ImportResult:
    """Store the file's users and passkeys; refuse it whole on any conflict."""
    users = _validated(document)
    added_users = added = unchanged = 0
    with session_scope(engine) as db:
        for user in users:
            stored = db.get(WebAuthnUser, user["sub"])
            if stored is None:
                _refuse_taken_handle(db, user)
                db.add(_user_row(user))
                db.flush()
                added_users += 1
            elif stored.user_handle != user["user_handle"]:
                raise TransferError(f"user {user['sub']}: a different user_handle is stored")
            for entry in user["passkeys"]:
                owner = db.exec(
                    select(PasskeyCredential.user_sub).where(
                        PasskeyCredential.credential_id == entry["credential_id"]
                    )
                ).first()
                if owner == user["sub"]:
                    unchanged += 1
                    continue
                if owner is not None:
                    raise TransferError(
                        f"credential {entry['credential_id'][:16]}... belongs to another user"
                    )
                db.add(_passkey_row(user["sub"], entry))
                added += 1
    return ImportResult(users_added=added_users, passkeys_added=added, passkeys_unchanged=unchanged)


def _refuse_taken_handle(db: Session, user: dict[str, Any]) -> None:
    taken = db.exec(
        select(WebAuthnUser.user_sub).where(WebAuthnUser.user_handle == user["user_handle"])
    ).first()
    if taken is not None:
        raise TransferError(f"user {user['sub']}: user_handle belongs to another user")


def _validated(document: Any) -> list[dict[str, Any]]:
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise TransferError(f"not a passkey export (format must be {FORMAT!r})")
    if document.get("version") != VERSION:
        raise TransferError(
            f"unsupported version {document.get('version')!r}; this reads {VERSION}"
        )
    users = document.get("users")
    if not isinstance(users, list):
        raise TransferError("users must be a list")
    seen: set[str] = set()
    for index, user in enumerate(users):
        where = f"users[{index}]"
        _require(user, where, sub=str, username=str, user_handle=str, passkeys=list)
        _b64(user["user_handle"], f"{where}.user_handle")
        for number, entry in enumerate(user["passkeys"]):
            at = f"{where}.passkeys[{number}]"
            _require(entry, at, credential_id=str, public_key=str, algorithm=int, sign_count=int)
            _b64(entry["credential_id"], f"{at}.credential_id")
            _b64(entry["public_key"], f"{at}.public_key")
            if entry["credential_id"] in seen:
                raise TransferError(f"{at}: credential_id appears twice in the file")
            seen.add(entry["credential_id"])
    return users


def _require(value: Any, where: str, **fields: type) -> None:
    if not isinstance(value, dict):
        raise TransferError(f"{where} must be an object")
    for name, kind in fields.items():
        field = value.get(name)
        if not isinstance(field, kind) or (kind is int and isinstance(field, bool)):
            raise TransferError(f"{where}.{name} must be {kind.__name__}")


def _b64(value: str, where: str) -> bytes:
    try:
        return b64url_decode(value)
    except ValueError:
        raise TransferError(f"{where} is not unpadded base64url") from None


def _user_row(user: dict[str, Any]) -> WebAuthnUser:
    return WebAuthnUser(
        user_sub=user["sub"],
        username=user["username"],
        user_handle=user["user_handle"],
        created_by_passkey=bool(user.get("created_by_passkey", False)),
        created_at=_parse_time(user.get("created_at")) or datetime.now(UTC),
    )


def _passkey_row(user_sub: str, entry: dict[str, Any]) -> PasskeyCredential:
    return PasskeyCredential(
        credential_id=entry["credential_id"],
        user_sub=user_sub,
        public_key=b64url_decode(entry["public_key"]),
        algorithm=entry["algorithm"],
        sign_count=entry["sign_count"],
        aaguid=str(entry.get("aaguid") or "00000000-0000-0000-0000-000000000000"),
        name=str(entry.get("name") or "Passkey")[:PASSKEY_NAME_LENGTH],
        backup_eligible=bool(entry.get("backup_eligible", False)),
        backup_state=bool(entry.get("backup_state", False)),
        transports=json.dumps(list(entry.get("transports") or [])),
        created_at=_parse_time(entry.get("created_at")) or datetime.now(UTC),
        last_used_at=_parse_time(entry.get("last_used_at")),
    )


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _parse_time(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise TransferError(f"{value!r} is not an ISO 8601 time") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
