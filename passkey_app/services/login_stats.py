"""Sign-in counts kept as sign-ins happen: per UTC day and method (``login_day``) and
each user's newest sign-in (``user_last_login``).

``services/audit.py`` calls ``note_logins`` in the same unit of work as the audit row
of every successful sign-in, so the admin's adoption numbers and "Last login" read a
few small rows whose number does not grow with the audit log. Both writes are upserts
(``INSERT ... ON CONFLICT``, on SQLite and PostgreSQL), so workers writing at once
never lose a count.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from passkey_app.models import LoginDay, UserLastLogin


@dataclass(frozen=True)
class Login:
    """One successful sign-in as the counts see it."""

    user_sub: str
    method: str
    at: datetime


def utc_day(moment: datetime) -> date:
    """The UTC calendar day of ``moment`` (naive values are UTC already)."""
    return (moment.astimezone(UTC) if moment.tzinfo else moment).date()


def _upserts(dialect: Any) -> tuple[Any, Any]:
    """The two statements of ``note_logins`` for one dialect, built once."""
    day_table = LoginDay.__table__  # type: ignore[attr-defined]
    add = dialect.insert(day_table)
    count_day = add.on_conflict_do_update(
        index_elements=[day_table.c.day, day_table.c.method],
        set_={"count": day_table.c.count + add.excluded.count},
    )
    last_table = UserLastLogin.__table__  # type: ignore[attr-defined]
    latest = dialect.insert(last_table)
    note_newest = latest.on_conflict_do_update(
        index_elements=[last_table.c.user_sub],
        set_={"at": latest.excluded.at, "method": latest.excluded.method},
        where=last_table.c.at <= latest.excluded.at,
    )
    return count_day, note_newest


_UPSERTS = {"sqlite": _upserts(sqlite), "postgresql": _upserts(postgresql)}


def note_logins(db: Session, logins: Iterable[Login]) -> None:
    """Count ``logins`` in the caller's unit of work (one statement per table)."""
    days: dict[tuple[date, str], int] = {}
    newest: dict[str, Login] = {}
    for login in logins:
        key = (utc_day(login.at), login.method)
        days[key] = days.get(key, 0) + 1
        known = newest.get(login.user_sub)
        if known is None or login.at >= known.at:
            newest[login.user_sub] = login
    if not days:
        return
    count_day, note_newest = _UPSERTS[db.get_bind().dialect.name]
    db.execute(
        count_day,
        [{"day": day, "method": method, "count": n} for (day, method), n in days.items()],
    )
    db.execute(
        note_newest,
        [{"user_sub": s, "at": n.at, "method": n.method} for s, n in newest.items()],
    )
