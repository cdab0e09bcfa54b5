"""Sign-in codes: their format, their keyed hash, and their rows.

A code is 8 characters of a 30-symbol alphabet (digits and capitals without 0, 1, I, L,
O and U, which are misread for one another or spell words), about 39 bits. Six digits
would be quicker on a phone's keypad, but the limits, not the alphabet, set what a
patient guesser gets: 5 tries per code, a new code at most once a minute, and 10 wrong
codes an hour per address. That is some 87,600 guesses a year, a 1 in 7.5 million chance
against 30^8 codes, where against 10^6 it would be a 9% chance. The mail shows the code in
two groups of four (``K7QM-3XPD``); typing is forgiving: any case, spaces and dashes
ignored.

The table keeps an HMAC of the code under a key derived from the proof key ring (the
app's most powerful secret, so deriving from it exposes nothing new): with only a copy
of the database, 39 bits would fall to a plain hash in hours; with the key, nobody needs
the code.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlmodel import Session, select

from lambdas.proof import KeyRing
from passkey_app.models import EmailCode
from passkey_app.services.clock import as_utc
from passkey_app.services.magic_links.store import MAX_TOKEN_LENGTH, digest

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 8
CODE_LIFETIME = timedelta(minutes=10)
MAX_TRIES = 5
"""Comparisons one code allows; the fifth wrong one kills it."""
MAX_TYPED_LENGTH = 64
"""Longer input is refused before any work (a code with generous spacing fits)."""
_IGNORED = re.compile(r"[\s\-\u2010-\u2015\u2212]+")
"""Whitespace, hyphens and the dashes a phone's keyboard or a mail client may put in."""
_KEY_PURPOSE = b"passkey-app email sign-in code v1"
_NO_CODE = "-" * 64
"""What a row without a code is compared with: no HMAC in hex ever equals it."""


def new_code() -> str:
    """A fresh code, from ``secrets``."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def grouped(code: str) -> str:
    """The code as people read it: two groups of four."""
    return f"{code[:4]}-{code[4:]}"


def parse(typed: str) -> str | None:
    """The code a person typed, or None when it cannot be one (the wrong length, a
    character outside the alphabet)."""
    if len(typed) > MAX_TYPED_LENGTH:
        return None
    code = _IGNORED.sub("", typed).upper()
    if len(code) != CODE_LENGTH or any(char not in ALPHABET for char in code):
        return None
    return code


class CodeHasher:
    """Keyed hashes of codes, each bound to its row's binding hash. A hash made with any
    key of the ring still matches, so rotating the proof key kills no live code."""

    def __init__(self, key_ring: KeyRing) -> None:
        self._active = _derive(key_ring.keys[key_ring.active_key_id])
        self._all = tuple(_derive(key) for key in key_ring.keys.values())

    def digest(self, code: str, *, binding_hash: str) -> str:
        """What the row stores for ``code``."""
        return _mac(self._active, code, binding_hash)

    def matches(self, stored: str | None, *, code: str, binding_hash: str) -> bool:
        """Whether ``code`` is the one ``stored`` was made from. A row without a code
        costs the same comparisons and never matches."""
        expected = stored or _NO_CODE
        found = False
        for key in self._all:
            found |= hmac.compare_digest(expected, _mac(key, code, binding_hash))
        return found and stored is not None


def _derive(key: bytes) -> bytes:
    return hmac.new(key, _KEY_PURPOSE, hashlib.sha256).digest()


def _mac(key: bytes, code: str, binding_hash: str) -> str:
    return hmac.new(key, f"{binding_hash}:{code}".encode(), hashlib.sha256).hexdigest()


def binding_digest(binding: str) -> str | None:
    """The row key of a browser's binding value; None for no usable value."""
    if not binding or len(binding) > MAX_TOKEN_LENGTH:
        return None
    return digest(binding)


def open_slot(db: Session, *, email_hash: str, binding_hash: str, now: datetime) -> None:
    """The row of a request, before anything depends on the account: a live row of this
    browser for the same address is kept (asking twice within the mail's minute must not
    kill the code on its way); any other row of this browser is replaced."""
    row = find(db, binding_hash)
    if row is not None and row.email_hash == email_hash and live(row, now=now):
        return
    column = EmailCode.__table__.c  # type: ignore[attr-defined]
    db.execute(delete(EmailCode).where(column.binding_hash == binding_hash))
    db.add(
        EmailCode(
            binding_hash=binding_hash,
            email_hash=email_hash,
            created_at=now,
            expires_at=now + CODE_LIFETIME,
        )
    )


def attach(
    db: Session,
    *,
    binding_hash: str,
    code_hash: str,
    link_id: int,
    user_sub: str | None,
    now: datetime,
) -> bool:
    """Put a mailed code on the request's row: a fresh 10 minutes and 5 tries, for the
    link it redeems (and its account, None for a sign-up). False when the row is gone
    (swept, or replaced by another request)."""
    column = EmailCode.__table__.c  # type: ignore[attr-defined]
    result = db.execute(
        update(EmailCode)
        .where(column.binding_hash == binding_hash)
        .values(
            code_hash=code_hash,
            link_id=link_id,
            user_sub=user_sub,
            tries=0,
            used_at=None,
            expires_at=now + CODE_LIFETIME,
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def find(db: Session, binding_hash: str) -> EmailCode | None:
    """The row of this browser's newest request, whatever its state."""
    return db.exec(select(EmailCode).where(EmailCode.binding_hash == binding_hash)).first()


def live(row: EmailCode, *, now: datetime) -> bool:
    """Whether the row may still be tried."""
    return row.used_at is None and row.tries < MAX_TRIES and as_utc(row.expires_at) > now


def take_try(db: Session, row_id: int, *, now: datetime) -> bool:
    """Count one comparison, only while the row is live: one conditional UPDATE, so
    guesses sent at once still get 5 comparisons in all."""
    column = EmailCode.__table__.c  # type: ignore[attr-defined]
    result = db.execute(
        update(EmailCode)
        .where(column.id == row_id)
        .where(column.used_at.is_(None))
        .where(column.tries < MAX_TRIES)
        .where(column.expires_at > now)
        .values(tries=column.tries + 1)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def use(db: Session, row_id: int, *, now: datetime) -> bool:
    """Mark the code used, once."""
    column = EmailCode.__table__.c  # type: ignore[attr-defined]
    result = db.execute(
        update(EmailCode)
        .where(column.id == row_id)
        .where(column.used_at.is_(None))
        .values(used_at=now)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def prune(db: Session, *, expired_before: datetime) -> int:
    """Delete rows that expired before ``expired_before``; return how many."""
    column = EmailCode.__table__.c  # type: ignore[attr-defined]
    result = db.execute(delete(EmailCode).where(column.expires_at < expired_before))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
