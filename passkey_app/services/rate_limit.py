"""Fixed-window rate limits kept in the database, so every worker and host shares them.

Each check is one conditional UPDATE (or, for a key never seen, one INSERT guarded by
the primary key), so two concurrent requests cannot both take the last slot. A hit taken
before an attempt can be given back after it, so a limit may count only the attempts
that turned out to matter (wrong passwords, completed sign-ups).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from passkey_app.db import session_scope
from passkey_app.models import RateLimitBucket
from passkey_app.services.clock import as_utc


@dataclass(frozen=True)
class RateLimit:
    """At most ``limit`` hits per ``window`` for one key."""

    name: str
    limit: int
    window: timedelta

    def key(self, subject: str) -> str:
        """The stored key: a hash, so no address is kept for people who have no account."""
        return hashlib.sha256(f"{self.name}:{subject}".encode()).hexdigest()


_TRIES = 3


def take(engine: Engine, rule: RateLimit, *, subject: str, now: datetime) -> bool:
    """Count one hit against ``subject``; False when its window is already full."""
    key = rule.key(subject)
    for _ in range(_TRIES):
        with session_scope(engine) as db:
            counted = _count(db, rule, key, now)
        if counted is not None:
            return counted
        try:
            with session_scope(engine) as db:
                db.add(RateLimitBucket(key=key, window_start=now, count=1))
        except IntegrityError:
            continue  # a concurrent first hit made the bucket: count against it instead
        return True
    return False


def _count(db: Session, rule: RateLimit, key: str, now: datetime) -> bool | None:
    """One hit against an existing bucket: True when counted, False when full, None when
    there is no bucket to count against (yet)."""
    column = RateLimitBucket.__table__.c  # type: ignore[attr-defined]
    counted = db.execute(
        update(RateLimitBucket)
        .where(column.key == key)
        .where(column.window_start > now - rule.window)
        .where(column.count < rule.limit)
        .values(count=column.count + 1)
    )
    if counted.rowcount == 1:  # type: ignore[attr-defined]
        return True
    restarted = db.execute(
        update(RateLimitBucket)
        .where(column.key == key)
        .where(column.window_start <= now - rule.window)
        .values(window_start=now, count=1)
    )
    if restarted.rowcount == 1:  # type: ignore[attr-defined]
        return True
    # Full, or no bucket yet (or one made by a concurrent first hit just now: try again).
    row = db.execute(select(column.window_start, column.count).where(column.key == key)).first()
    if row is None:
        return None
    started, count = row
    return False if as_utc(started) > now - rule.window and count >= rule.limit else None


def give_back(engine: Engine, rule: RateLimit, *, subject: str, taken_at: datetime) -> None:
    """Return one hit taken at ``taken_at``, unless its window has ended since (a new
    window starts from zero anyway)."""
    column = RateLimitBucket.__table__.c  # type: ignore[attr-defined]
    with session_scope(engine) as db:
        db.execute(
            update(RateLimitBucket)
            .where(column.key == rule.key(subject))
            .where(column.window_start <= taken_at)
            .where(column.window_start > taken_at - rule.window)
            .where(column.count > 0)
            .values(count=column.count - 1)
        )


def seconds_left(engine: Engine, rule: RateLimit, *, subject: str, now: datetime) -> int:
    """Whole seconds until ``subject``'s current window ends (at least 1): when a refused
    caller may try again."""
    column = RateLimitBucket.__table__.c  # type: ignore[attr-defined]
    with session_scope(engine) as db:
        started = db.execute(
            select(column.window_start).where(column.key == rule.key(subject))
        ).scalar_one_or_none()
    if started is None:
        return max(1, math.ceil(rule.window.total_seconds()))
    remaining = (as_utc(started) + rule.window - now).total_seconds()
    return max(1, math.ceil(remaining))


def prune(engine: Engine, *, started_before: datetime) -> int:
    """Delete buckets whose window started before ``started_before`` (pass a time older
    than the longest window, so no live count is lost); return how many."""
    column = RateLimitBucket.__table__.c  # type: ignore[attr-defined]
    with session_scope(engine) as db:
        result = db.execute(delete(RateLimitBucket).where(column.window_start < started_before))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
