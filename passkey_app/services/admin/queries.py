"""SQL for the admin pages. Each function takes the caller's Session and runs one query;
a page of users is joined with one ``IN (...)`` query per table, never a row at a time."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import and_, case, func, or_
from sqlmodel import Session, col, select

from passkey_app.models import AuditEvent, PasskeyCredential, UserLastLogin, WebAuthnUser
from passkey_app.services.audit import LOGIN_EVENT_METHODS
from passkey_app.services.clock import as_utc
from passkey_app.services.sign_in import SignInMethod

LOGIN_EVENTS: dict[str, SignInMethod] = {
    event_type.value: SignInMethod(method) for event_type, method in LOGIN_EVENT_METHODS.items()
}
MAX_AUDIT_PAGE = 100


@dataclass(frozen=True)
class PasskeyCounts:
    """How many passkeys one user has, by kind."""

    synced: int = 0
    device_bound: int = 0


@dataclass(frozen=True)
class LastLogin:
    """A user's newest successful login."""

    at: datetime
    method: str


@dataclass(frozen=True)
class AuditRow:
    """One audit event as the admin pages show it."""

    id: int
    occurred_at: datetime
    event_type: str
    outcome: str
    user_sub: str | None
    email: str | None
    actor_sub: str | None
    ip_address: str
    detail: str


@dataclass(frozen=True)
class AuditFilter:
    """Which events to show; every field narrows the log (None: no narrowing)."""

    user_sub: str | None = None
    email: str | None = None
    event_type: str | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class AuditCursor:
    """Where the next page starts: strictly older than this (time, id)."""

    occurred_at: datetime
    id: int

    def encode(self) -> str:
        """An opaque string for the UI to hand back."""
        return f"{self.occurred_at.isoformat()}|{self.id}"

    @classmethod
    def decode(cls, value: str) -> AuditCursor | None:
        """The cursor in ``value``, or None when it is not one of ours."""
        moment, _, row_id = value.partition("|")
        try:
            return cls(occurred_at=as_utc(datetime.fromisoformat(moment)), id=int(row_id))
        except ValueError:
            return None


def passkey_counts(db: Session, subs: list[str]) -> dict[str, PasskeyCounts]:
    """Synced and device-bound passkeys of each user in ``subs``."""
    if not subs:
        return {}
    synced = func.sum(case((col(PasskeyCredential.backup_eligible), 1), else_=0))
    rows = db.exec(
        select(PasskeyCredential.user_sub, synced, func.count())
        .where(col(PasskeyCredential.user_sub).in_(subs))
        .group_by(col(PasskeyCredential.user_sub))
    ).all()
    return {
        sub: PasskeyCounts(synced=int(n_synced or 0), device_bound=int(total) - int(n_synced or 0))
        for sub, n_synced, total in rows
    }


def created_by_passkey(db: Session, subs: list[str]) -> set[str]:
    """Which of ``subs`` signed up with a passkey (per our WebAuthn table)."""
    if not subs:
        return set()
    return set(
        db.exec(
            select(WebAuthnUser.user_sub)
            .where(col(WebAuthnUser.user_sub).in_(subs))
            .where(col(WebAuthnUser.created_by_passkey))
        ).all()
    )


def last_logins(db: Session, subs: list[str]) -> dict[str, LastLogin]:
    """Each user's newest successful login and its method (kept as sign-ins happen)."""
    if not subs:
        return {}
    rows = db.exec(
        select(UserLastLogin.user_sub, UserLastLogin.at, UserLastLogin.method).where(
            col(UserLastLogin.user_sub).in_(subs)
        )
    ).all()
    return {sub: LastLogin(at=as_utc(at), method=SignInMethod(method)) for sub, at, method in rows}


def _row(event: AuditEvent) -> AuditRow:
    return AuditRow(
        id=event.id or 0,
        occurred_at=as_utc(event.occurred_at),
        event_type=event.event_type,
        outcome=event.outcome,
        user_sub=event.user_sub,
        email=event.email,
        actor_sub=event.actor_sub,
        ip_address=event.ip_address,
        detail=event.detail,
    )


def known_emails(db: Session, subs: set[str]) -> dict[str, str]:
    """The newest email the log holds for each of ``subs`` (one query)."""
    if not subs:
        return {}
    newest = (
        select(func.max(col(AuditEvent.id)))
        .where(col(AuditEvent.user_sub).in_(subs), col(AuditEvent.email).is_not(None))
        .group_by(col(AuditEvent.user_sub))
    )
    rows = db.exec(
        select(AuditEvent.user_sub, AuditEvent.email).where(col(AuditEvent.id).in_(newest))
    ).all()
    return {sub: email for sub, email in rows if sub and email}


def _with_emails(db: Session, rows: list[AuditRow]) -> list[AuditRow]:
    """Rows that name a sub but no email (a passkey sign-in knows only the sub; rows
    written before sign-ins recorded the email) get the email the log knows for it."""
    missing = {row.user_sub for row in rows if row.user_sub and not row.email}
    emails = known_emails(db, missing)
    return [
        replace(row, email=emails[row.user_sub])
        if row.user_sub in emails and not row.email
        else row
        for row in rows
    ]


def audit_page(
    db: Session, *, where: AuditFilter, before: AuditCursor | None, limit: int
) -> tuple[list[AuditRow], AuditCursor | None]:
    """Newest first, ``limit`` rows older than ``before``; the cursor of the next page."""
    limit = max(1, min(limit, MAX_AUDIT_PAGE))
    query = select(AuditEvent)
    if where.user_sub and where.email:
        query = query.where(
            or_(col(AuditEvent.user_sub) == where.user_sub, col(AuditEvent.email) == where.email)
        )
    elif where.user_sub:
        query = query.where(AuditEvent.user_sub == where.user_sub)
    elif where.email:
        query = query.where(AuditEvent.email == where.email)
    if where.event_type:
        query = query.where(AuditEvent.event_type == where.event_type)
    if where.since:
        query = query.where(col(AuditEvent.occurred_at) >= where.since)
    if where.until:
        query = query.where(col(AuditEvent.occurred_at) < where.until)
    if before is not None:
        query = query.where(
            or_(
                col(AuditEvent.occurred_at) < before.occurred_at,
                and_(
                    col(AuditEvent.occurred_at) == before.occurred_at,
                    col(AuditEvent.id) < before.id,
                ),
            )
        )
    query = query.order_by(col(AuditEvent.occurred_at).desc(), col(AuditEvent.id).desc())
    events = _with_emails(db, [_row(event) for event in db.exec(query.limit(limit + 1)).all()])
    if len(events) <= limit:
        return events, None
    last = events[limit - 1]
    return events[:limit], AuditCursor(occurred_at=last.occurred_at, id=last.id)
