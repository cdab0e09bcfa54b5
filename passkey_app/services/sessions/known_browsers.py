"""The browsers a person has signed in from, so a sign-in from another one can be told.

A browser is its (browser family, system family) pair, "Chrome" and "Linux", not its
version: an update is not a new browser. Only a hash of the pair and the person is
kept, never the user agent.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from enum import StrEnum

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from passkey_app.db import session_scope
from passkey_app.models import KnownBrowser
from passkey_app.services.user_agent import Device


class Sighting(StrEnum):
    """What a sign-in's browser is to the account."""

    FIRST = "first"
    """The account had no browser on record: its first sign-in (or the first since the
    app started keeping them)."""
    KNOWN = "known"
    NEW = "new"


def browser_hash(user_sub: str, device: Device) -> str:
    """The stored form of one person's browser."""
    material = "\x1f".join((user_sub, device.browser.lower(), device.os.lower()))
    return hashlib.sha256(material.encode()).hexdigest()


def remember(engine: Engine, *, user_sub: str, device: Device, at: datetime) -> Sighting:
    """Record that ``user_sub`` signed in from ``device``; say whether it was new."""
    digest = browser_hash(user_sub, device)
    with session_scope(engine) as db:
        hashes = set(
            db.exec(select(KnownBrowser.browser_hash).where(KnownBrowser.user_sub == user_sub))
        )
    if digest in hashes:
        return Sighting.KNOWN
    try:
        with session_scope(engine) as db:
            db.add(KnownBrowser(user_sub=user_sub, browser_hash=digest, first_seen_at=at))
    except IntegrityError:
        return Sighting.KNOWN  # the same browser's other sign-in, a moment ago
    return Sighting.FIRST if not hashes else Sighting.NEW
