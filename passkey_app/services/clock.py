"""Time, injectable so tests can move it; every datetime is timezone-aware UTC."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """Now, in UTC."""
    return datetime.now(UTC)


def duration_words(span: timedelta) -> str:
    """ "15 minutes", "12 hours", "7 days": a length of time as people say it (in a mail,
    on a page), in the largest unit that divides it."""
    minutes = int(span.total_seconds() // 60)
    for size, unit in ((24 * 60, "day"), (60, "hour"), (1, "minute")):
        if minutes % size == 0:
            count = minutes // size
            return f"{count} {unit}" if count == 1 else f"{count} {unit}s"
    return f"{minutes} minutes"


def as_utc(value: datetime) -> datetime:
    """SQLite hands datetimes back without a zone; they were stored as UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)
