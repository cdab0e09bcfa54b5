"""SQL for the admin pages. Each function takes the caller's Session and runs one query;
a page of users is joined with one ``IN (...)`` query per table, never a row at a time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, or_
from sqlmodel import Session, col, select

from passkey_app.models import AuditEvent, PasskeyCredential, WebAuthnUser
from passkey_app.services.audit import AuditEventType
from passkey_app.services.clock import as_utc
from passkey_app.services.sign_in import SignInMethod

LOGIN_EVENTS: dict[str, SignInMethod] = {
    AuditEventType.LOGIN_PASSKEY: SignInMethod.PASSKEY,
    AuditEventType.LOGIN_PASSWORD: SignInMethod.PASSWORD,
    AuditEventType.MAGIC_LINK_REDEEM: SignInMethod.MAGIC_LINK,  # an email link's redemption
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


def _login_success() -> list[Any]:
    return [col(AuditEvent.event_type).in_(list(LOGIN_EVENTS)), AuditEvent.outcome == "success"]


def last_logins(db: Session, subs: list[str]) -> dict[str, LastLogin]:
    """Each user's newest successful login and its method, in one statement."""
    if not subs:
        return {}
    newest = (
        select(
            col(AuditEvent.user_sub).label("sub"),
            func.max(col(AuditEvent.occurred_at)).label("at"),
        )
        .where(col(AuditEvent.user_sub).in_(subs), *_login_success())
        .group_by(col(AuditEvent.user_sub))
        .subquery()
    )
    rows = db.exec(
        select(AuditEvent.user_sub, AuditEvent.occurred_at, AuditEvent.event_type)
        .join(
            newest,
            and_(
                col(AuditEvent.user_sub) == newest.c.sub,
                col(AuditEvent.occurred_at) == newest.c.at,
            ),
        )
        .where(*_login_success())
    ).all()
    return {
        sub: LastLogin(at=as_utc(at), method=LOGIN_EVENTS[event_type])
        for sub, at, event_type in rows
        if sub is not None
    }


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
    events = [_row(event) for event in db.exec(query.limit(limit + 1)).all()]
    if len(events) <= limit:
        return events, None
    last = events[limit - 1]
    return events[:limit], AuditCursor(occurred_at=last.occurred_at, id=last.id)


def event_types(db: Session) -> list[str]:
    """Every event type the log holds, for the filter's choices."""
    return sorted(db.exec(select(AuditEvent.event_type).distinct()).all())
