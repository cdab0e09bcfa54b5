"""Adoption numbers for the dashboard, counted by the database (GROUP BY / COUNT).

Sign-in figures read the counts kept as sign-ins happen (services/login_stats.py: one
row per day and method, one per user), never the audit log, so their cost does not
grow with it. Time buckets are UTC days ("YYYY-MM-DD") and months ("YYYY-MM") on
SQLite and PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from passkey_app.models import LoginDay, PasskeyCredential, UserLastLogin, WebAuthnUser
from passkey_app.services.login_stats import utc_day
from passkey_app.services.webauthn.aaguid import authenticator_model

UNKNOWN_MODEL = "Unknown authenticator"


@dataclass(frozen=True)
class ActiveUsers:
    """Users who signed in during the window, and how many of them have a passkey."""

    active: int
    with_passkey: int

    @property
    def share(self) -> float:
        """Fraction of active users with a passkey (0 when nobody was active)."""
        return self.with_passkey / self.active if self.active else 0.0


@dataclass(frozen=True)
class DailyLogins:
    """Successful logins on one UTC day, by method."""

    day: str
    passkey: int = 0
    password: int = 0
    magic_link: int = 0


@dataclass(frozen=True)
class MonthlyAdoption:
    """New passkey accounts and password accounts that added their first passkey."""

    month: str
    passkey_signups: int = 0
    password_users_added: int = 0


@dataclass(frozen=True)
class ModelCount:
    """Passkeys per authenticator model."""

    model: str
    passkeys: int


def _bucket(db: Session, column: Any, unit: str) -> Any:
    if db.get_bind().dialect.name == "postgresql":
        pattern = "YYYY-MM-DD" if unit == "day" else "YYYY-MM"
        return func.to_char(func.timezone("UTC", column), pattern)
    return func.strftime("%Y-%m-%d" if unit == "day" else "%Y-%m", column)


def active_users(db: Session, *, since: datetime) -> ActiveUsers:
    """Users whose newest successful login is at or after ``since``, and those of them
    who have a passkey."""
    recent = col(UserLastLogin.at) >= since
    with_passkey = col(UserLastLogin.user_sub).in_(select(PasskeyCredential.user_sub))
    active = db.exec(select(func.count()).select_from(UserLastLogin).where(recent)).one()
    equipped = db.exec(
        select(func.count()).select_from(UserLastLogin).where(recent, with_passkey)
    ).one()
    return ActiveUsers(active=int(active), with_passkey=int(equipped))


def logins_per_day(db: Session, *, since: datetime, until: datetime) -> list[DailyLogins]:
    """Every UTC day from ``since`` to ``until`` (days without logins count zero)."""
    first, last = utc_day(since), utc_day(until)
    rows = db.exec(
        select(col(LoginDay.day), col(LoginDay.method), col(LoginDay.count)).where(
            col(LoginDay.day) >= first, col(LoginDay.day) <= last
        )
    ).all()
    counts: dict[str, dict[str, int]] = {}
    for day, method, count in rows:
        counts.setdefault(day.isoformat(), {})[method] = int(count)
    labels = [(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]
    return [DailyLogins(day=label, **counts.get(label, {})) for label in labels]


def monthly_adoption(db: Session, *, since: datetime) -> list[MonthlyAdoption]:
    """Per month: passkey sign-ups, and password users whose first passkey came then."""
    signup_month = _bucket(db, col(WebAuthnUser.created_at), "month")
    signups = db.exec(
        select(signup_month, func.count())
        .where(col(WebAuthnUser.created_by_passkey), col(WebAuthnUser.created_at) >= since)
        .group_by(signup_month)
    ).all()
    first = (
        select(func.min(col(PasskeyCredential.created_at)).label("first_at"))
        .join(WebAuthnUser, col(WebAuthnUser.user_sub) == col(PasskeyCredential.user_sub))
        .where(col(WebAuthnUser.created_by_passkey).is_(False))
        .group_by(col(PasskeyCredential.user_sub))
        .subquery()
    )
    added_month = _bucket(db, first.c.first_at, "month")
    added = db.exec(
        select(added_month, func.count()).where(first.c.first_at >= since).group_by(added_month)
    ).all()
    months: dict[str, dict[str, int]] = {}
    for month, count in signups:
        months.setdefault(str(month), {})["passkey_signups"] = int(count)
    for month, count in added:
        months.setdefault(str(month), {})["password_users_added"] = int(count)
    return [MonthlyAdoption(month=month, **months[month]) for month in sorted(months)]


def top_models(db: Session, *, limit: int = 8) -> list[ModelCount]:
    """The most common authenticator models; AAGUIDs sharing a name are added together."""
    rows = db.exec(
        select(PasskeyCredential.aaguid, func.count())
        .group_by(col(PasskeyCredential.aaguid))
        .order_by(func.count().desc())
    ).all()
    totals: dict[str, int] = {}
    for aaguid, count in rows:  # one row per distinct AAGUID, not per passkey
        name = authenticator_model(aaguid) or UNKNOWN_MODEL
        totals[name] = totals.get(name, 0) + int(count)
    ranked = sorted(totals.items(), key=lambda item: (-item[1], item[0]))
    return [ModelCount(model=name, passkeys=count) for name, count in ranked[:limit]]
