"""Fixed-window rate limits kept in the database, so every worker and host shares them.

Each check is one statement (an INSERT ... ON CONFLICT DO UPDATE guarded by the window
and the limit), so two concurrent requests cannot both take the last slot, and several
checks share one transaction. A hit taken before an attempt can be given back after it,
so a limit may count only the attempts that turned out to matter (wrong passwords,
completed sign-ups).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, case, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

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


def take(engine: Engine, rule: RateLimit, *, subject: str, now: datetime) -> bool:
    """Count one hit against ``subject``; False when its window is already full."""
    return take_all(engine, [(rule, subject)], now=now) is None


def take_all(
    engine: Engine, hits: Iterable[tuple[RateLimit, str]], *, now: datetime
) -> RateLimit | None:
    """Count one hit against each (rule, subject) in one transaction. At the first full
    rule nothing is counted (the transaction is rolled back) and that rule is returned;
    None when every hit was counted."""
    with engine.connect() as connection, connection.begin() as transaction:
        for rule, subject in hits:
            if not _take_in(connection, rule, rule.key(subject), now):
                transaction.rollback()
                return rule
    return None


def _take_in(connection: Connection, rule: RateLimit, key: str, now: datetime) -> bool:
    """One statement: make the bucket, restart a finished window, or count one more in a
    window with room; no row comes back when the window is full. The database does it
    atomically (the primary key and ON CONFLICT), so concurrent hits never both take the
    last slot and none is lost."""
    parameters = {"key": key, "now": now, "cutoff": now - rule.window, "limit": rule.limit}
    return connection.execute(_HIT[connection.dialect.name], parameters).first() is not None


def _hit(dialect: Any) -> Any:
    """The statement of ``_take_in`` for one dialect, built once (with bound parameters)."""
    table = RateLimitBucket.__table__  # type: ignore[attr-defined]
    column = table.c
    now = bindparam("now", type_=column.window_start.type)
    finished = column.window_start <= bindparam("cutoff", type_=column.window_start.type)
    insert = dialect.insert(table)
    return (
        insert.values(key=bindparam("key"), window_start=now, count=1)
        .on_conflict_do_update(
            index_elements=[column.key],
            set_={
                "window_start": case((finished, now), else_=column.window_start),
                "count": case((finished, 1), else_=column.count + 1),
            },
            where=finished | (column.count < bindparam("limit")),
        )
        .returning(column.count)
    )


_HIT = {"sqlite": _hit(sqlite), "postgresql": _hit(postgresql)}
"""The databases the app runs on: both know INSERT ... ON CONFLICT ... RETURNING."""


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
