"""Repository functions for WebAuthn users and passkeys. They take the caller's Session;
the caller decides when to commit (see passkey_app.db.session_scope)."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, delete, func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from passkey_app.models import PASSKEY_NAME_LENGTH, PasskeyCredential, WebAuthnUser
from passkey_app.services.clock import as_utc
from passkey_app.services.webauthn.aaguid import authenticator_model
from passkey_app.services.webauthn.encoding import b64url_encode
from passkey_app.services.webauthn.errors import PasskeyRejectedError, RejectReason
from passkey_app.services.webauthn.results import NewPasskey

DEFAULT_MODEL = "Passkey"


@dataclass(frozen=True)
class PasskeySummary:
    """One passkey as the management page shows it."""

    id: int
    name: str
    model: str
    synced: bool
    created_at: datetime
    last_used_at: datetime | None
    sign_count: int


def clean_name(name: str) -> str:
    """A passkey name trimmed of surrounding space; 1 to 64 characters, else ValueError."""
    cleaned = name.strip()
    if not 1 <= len(cleaned) <= PASSKEY_NAME_LENGTH:
        raise ValueError(f"a passkey name has 1 to {PASSKEY_NAME_LENGTH} characters")
    return cleaned


def new_user_handle() -> str:
    """A fresh WebAuthn user handle: base64url of 32 random bytes, never the email."""
    return b64url_encode(secrets.token_bytes(32))


def ensure_user(
    db: Session,
    *,
    user_sub: str,
    username: str,
    user_handle: str | None = None,
    created_by_passkey: bool = False,
    email_unconfirmed: bool = False,
    at: datetime,
) -> WebAuthnUser:
    """The user's WebAuthn row, created when missing (provisional, from ``at``, when
    ``email_unconfirmed``: nobody has proven the address yet).

    ``user_handle`` is the handle a registration already used (sign-up picks it before
    the Cognito user exists); a new row without one gets a fresh handle. An existing
    row keeps its handle, and a different ``user_handle`` for it is a ValueError: the
    passkey would never match its owner.
    """
    user = db.get(WebAuthnUser, user_sub)
    if user is not None:
        if user_handle is not None and user_handle != user.user_handle:
            raise ValueError("that user already has another WebAuthn user handle")
        return user
    user = WebAuthnUser(
        user_sub=user_sub,
        username=username,
        user_handle=user_handle or new_user_handle(),
        created_by_passkey=created_by_passkey,
        created_at=at,
        email_unconfirmed_since=at if email_unconfirmed else None,
    )
    db.add(user)
    db.flush()
    return user


def delete_all_passkeys(db: Session, user_sub: str) -> int:
    """Delete every passkey of one user; return how many."""
    result = db.execute(
        delete(PasskeyCredential).where(col(PasskeyCredential.user_sub) == user_sub)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def find_user(db: Session, user_sub: str) -> WebAuthnUser | None:
    """The user's WebAuthn row, if they ever started a passkey ceremony."""
    return db.get(WebAuthnUser, user_sub)


def find_user_by_handle(db: Session, user_handle: str) -> WebAuthnUser | None:
    """Whose WebAuthn user handle this is (from a usernameless assertion)."""
    return db.exec(select(WebAuthnUser).where(WebAuthnUser.user_handle == user_handle)).first()


def find_credential(
    db: Session, credential_id: str
) -> tuple[PasskeyCredential, WebAuthnUser] | None:
    """A passkey by its credential id (unique across all users), with its owner."""
    row = db.exec(
        select(PasskeyCredential, WebAuthnUser)
        .join(WebAuthnUser, col(WebAuthnUser.user_sub) == col(PasskeyCredential.user_sub))
        .where(PasskeyCredential.credential_id == credential_id)
    ).first()
    return (row[0], row[1]) if row else None


def add_passkey(
    db: Session, *, user_sub: str, new: NewPasskey, name: str, at: datetime
) -> PasskeyCredential:
    """Store a verified passkey for an existing user (see ensure_user).

    A credential id already registered, to anyone, is PasskeyRejectedError(CREDENTIAL_EXISTS);
    the row is flushed so a concurrent duplicate fails here too, not at commit.
    """
    if db.get(WebAuthnUser, user_sub) is None:
        raise ValueError("no WebAuthn user for that user_sub; call ensure_user first")
    taken = db.exec(
        select(PasskeyCredential.id).where(PasskeyCredential.credential_id == new.credential_id)
    ).first()
    if taken is not None:
        raise PasskeyRejectedError(RejectReason.CREDENTIAL_EXISTS)
    passkey = PasskeyCredential(
        credential_id=new.credential_id,
        user_sub=user_sub,
        public_key=new.public_key,
        algorithm=new.algorithm,
        sign_count=new.sign_count,
        aaguid=new.aaguid,
        name=clean_name(name),
        backup_eligible=new.backup_eligible,
        backup_state=new.backup_state,
        transports=json.dumps(list(new.transports)),
        created_at=at,
    )
    db.add(passkey)
    try:
        db.flush()
    except IntegrityError:
        raise PasskeyRejectedError(RejectReason.CREDENTIAL_EXISTS) from None
    return passkey


def list_passkeys(db: Session, user_sub: str) -> list[PasskeySummary]:
    """The user's passkeys, oldest first, with the authenticator model when known."""
    rows = db.exec(
        select(PasskeyCredential)
        .where(PasskeyCredential.user_sub == user_sub)
        .order_by(col(PasskeyCredential.created_at), col(PasskeyCredential.id))
    ).all()
    return [
        PasskeySummary(
            id=row.id or 0,
            name=row.name,
            model=authenticator_model(row.aaguid) or DEFAULT_MODEL,
            synced=row.backup_eligible,
            created_at=as_utc(row.created_at),
            last_used_at=as_utc(row.last_used_at) if row.last_used_at else None,
            sign_count=row.sign_count,
        )
        for row in rows
    ]


def credential_ids(db: Session, user_sub: str) -> list[str]:
    """The user's credential ids (for allowCredentials / excludeCredentials)."""
    return list(
        db.exec(
            select(PasskeyCredential.credential_id)
            .where(PasskeyCredential.user_sub == user_sub)
            .order_by(col(PasskeyCredential.id))
        ).all()
    )


def count_passkeys(db: Session, user_sub: str) -> int:
    """How many passkeys the user has (never delete the last way in)."""
    return db.exec(
        select(func.count())
        .select_from(PasskeyCredential)
        .where(PasskeyCredential.user_sub == user_sub)
    ).one()


def _own_passkey(db: Session, *, user_sub: str, passkey_id: int) -> PasskeyCredential | None:
    return db.exec(
        select(PasskeyCredential)
        .where(PasskeyCredential.id == passkey_id)
        .where(PasskeyCredential.user_sub == user_sub)
    ).first()


def rename_passkey(db: Session, *, user_sub: str, passkey_id: int, name: str) -> bool:
    """Rename one of the user's own passkeys; False when it is not theirs or gone.
    The name is trimmed and must have 1 to 64 characters (else ValueError)."""
    cleaned = clean_name(name)
    passkey = _own_passkey(db, user_sub=user_sub, passkey_id=passkey_id)
    if passkey is None:
        return False
    passkey.name = cleaned
    db.add(passkey)
    return True


def delete_passkey(db: Session, *, user_sub: str, passkey_id: int) -> bool:
    """Delete one of the user's own passkeys; False when it is not theirs or gone."""
    passkey = _own_passkey(db, user_sub=user_sub, passkey_id=passkey_id)
    if passkey is None:
        return False
    db.delete(passkey)
    db.flush()
    return True


def snooze_prompt(db: Session, *, user_sub: str, until: datetime) -> bool:
    """Stop offering "Create a passkey" until ``until``; False when the user has no row."""
    user = db.get(WebAuthnUser, user_sub)
    if user is None:
        return False
    user.passkey_prompt_snoozed_until = until
    db.add(user)
    return True


def record_use(
    db: Session,
    *,
    passkey_id: int,
    seen_sign_count: int,
    sign_count: int,
    backup_state: bool,
    at: datetime,
) -> bool:
    """Save a login's counter, backup state and time, only if the counter is still the one
    the verification read (one conditional UPDATE); False when a concurrent login won."""
    result = db.execute(
        _RECORD_USE,
        {
            "passkey": passkey_id,
            "seen": seen_sign_count,
            "sign_count": sign_count,
            "backup_state": backup_state,
            "last_used_at": at,
        },
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


_PASSKEYS = PasskeyCredential.__table__  # type: ignore[attr-defined]
_RECORD_USE = (
    update(_PASSKEYS)
    .where(_PASSKEYS.c.id == bindparam("passkey"))
    .where(_PASSKEYS.c.sign_count == bindparam("seen"))
)
"""``record_use``'s statement, built once: every passkey sign-in runs it. A plain UPDATE
of the table (its SET comes from the parameters), so no loaded object is synchronised."""
