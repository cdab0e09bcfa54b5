"""Fixed-window rate limits kept in the database, so every worker and host shares them.

Each check is one conditional UPDATE (or, for a key never seen, one INSERT guarded by
the primary key), so two concurrent requests cannot both take the last slot.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from passkey_app.db import session_scope
from passkey_app.models import RateLimitBucket


@dataclass(frozen=True)
class RateLimit:
    """At most ``limit`` hits per ``window`` for one key."""

    name: str
    limit: int
    window: timedelta

    def key(self, subject: str) -> str:
        """The stored key: a hash, so no address is kept for people who have no account."""
        return hashlib.sha256(f"{self.name}:{subject}".encode()).hexdigest()


def take(engine: Engine, rule: RateLimit, *, subject: str, now: datetime) -> bool:
    """Count one hit against ``subject``; False when its window is already full."""
    key = rule.key(subject)
    column = RateLimitBucket.__table__.c  # type: ignore[attr-defined]
    with session_scope(engine) as db:
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
    try:
        with session_scope(engine) as db:
            db.add(RateLimitBucket(key=key, window_start=now, count=1))
    except IntegrityError:
        return False
    return True


def prune(engine: Engine, *, started_before: datetime) -> int:
    """Delete buckets whose window started before ``started_before`` (pass a time older
    than the longest window, so no live count is lost); return how many."""
    column = RateLimitBucket.__table__.c  # type: ignore[attr-defined]
    with session_scope(engine) as db:
        result = db.execute(delete(RateLimitBucket).where(column.window_start < started_before))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
