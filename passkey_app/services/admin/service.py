"""AdminService: what the dashboard can read and do. Every public method takes the
signed-in admin and checks the ``admin`` group first (any connected client can send
any Reflex event); destructive ones also want a login younger than 15 minutes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlmodel import Session

from passkey_app.db import session_scope
from passkey_app.models import BrowserSession
from passkey_app.services.admin import metrics, queries
from passkey_app.services.admin.directory import DirectoryUser, UserDirectory, valid_sub
from passkey_app.services.admin.errors import AdminError, AdminFailure
from passkey_app.services.admin.queries import AuditCursor, AuditFilter, AuditRow
from passkey_app.services.audit import AuditEventType, AuditTrail, ClientInfo, record_event
from passkey_app.services.clock import Clock, system_clock
from passkey_app.services.mail.security import SecurityNotices
from passkey_app.services.sessions.store import SignedInUser
from passkey_app.services.webauthn import credential_store
from passkey_app.services.webauthn.credential_store import PasskeySummary

FRESH_ADMIN_LOGIN = timedelta(minutes=15)
RECENT_EVENTS = 20


@dataclass(frozen=True)
class UserRow:
    """One row of the users table: the directory joined with our tables."""

    sub: str
    email: str
    status: str
    enabled: bool
    created_by: str  # "passkey" or "password"
    synced_passkeys: int
    device_passkeys: int
    last_login_at: datetime | None
    last_login_method: str | None
    email_confirmed: bool = True


@dataclass(frozen=True)
class UsersPage:
    """A page of users and the Cognito token of the next page."""

    users: tuple[UserRow, ...]
    next_token: str | None


@dataclass(frozen=True)
class UserDetail:
    """Everything the admin's user page shows."""

    user: UserRow
    passkeys: tuple[PasskeySummary, ...]
    recent_events: tuple[AuditRow, ...]


@dataclass(frozen=True)
class Adoption:
    """The adoption charts' numbers over one window."""

    window_days: int
    active: metrics.ActiveUsers
    logins: tuple[metrics.DailyLogins, ...]
    monthly: tuple[metrics.MonthlyAdoption, ...]
    models: tuple[metrics.ModelCount, ...]


class AdminService:
    """Users, passkeys, adoption and the audit log, for members of ``admin`` only."""

    def __init__(
        self,
        *,
        engine: Engine,
        directory: UserDirectory,
        clock: Clock = system_clock,
        notices: SecurityNotices | None = None,
    ) -> None:
        """``notices`` mails a user whom an admin signed out everywhere."""
        self._notices = notices
        self._engine = engine
        self._directory = directory
        self._clock = clock
        self._trail = AuditTrail(engine, clock)

    @staticmethod
    def require_admin(admin: SignedInUser | None) -> SignedInUser:
        """The caller, if they are an admin; otherwise AdminError(FORBIDDEN)."""
        if admin is None or not admin.is_admin:
            raise AdminError(AdminFailure.FORBIDDEN, "not in the admin group")
        return admin

    def needs_reauthentication(self, admin: SignedInUser) -> bool:
        """Destructive actions want a login (or confirmation) younger than 15 minutes."""
        self.require_admin(admin)
        return admin.login_age(self._clock()) > FRESH_ADMIN_LOGIN

    def _require_fresh(self, admin: SignedInUser) -> None:
        if self.needs_reauthentication(admin):
            raise AdminError(AdminFailure.REAUTHENTICATION_REQUIRED, "admin login too old")

    def _rows(self, users: tuple[DirectoryUser, ...]) -> tuple[UserRow, ...]:
        subs = [user.sub for user in users]
        with session_scope(self._engine) as db:
            counts = queries.passkey_counts(db, subs)
            by_passkey = queries.created_by_passkey(db, subs)
            logins = queries.last_logins(db, subs)
        rows = []
        for user in users:
            count = counts.get(user.sub, queries.PasskeyCounts())
            login = logins.get(user.sub)
            rows.append(
                UserRow(
                    sub=user.sub,
                    email=user.email,
                    status=user.status,
                    enabled=user.enabled,
                    created_by="passkey"
                    if user.created_by_passkey or user.sub in by_passkey
                    else "password",
                    synced_passkeys=count.synced,
                    device_passkeys=count.device_bound,
                    last_login_at=login.at if login else None,
                    last_login_method=login.method if login else None,
                    email_confirmed=user.email_verified,
                )
            )
        return tuple(rows)

    def list_users(
        self,
        admin: SignedInUser,
        *,
        email_prefix: str = "",
        token: str | None = None,
        limit: int = 25,
    ) -> UsersPage:
        """One page from Cognito ListUsers, joined with passkeys and last logins."""
        self.require_admin(admin)
        page = self._directory.list_page(email_prefix=email_prefix, token=token, limit=limit)
        return UsersPage(users=self._rows(page.users), next_token=page.next_token)

    def user_detail(self, admin: SignedInUser, *, sub: str) -> UserDetail:
        """One user's row, passkeys and most recent audit events."""
        self.require_admin(admin)
        user = self._directory.by_sub(sub)
        (row,) = self._rows((user,))
        with session_scope(self._engine) as db:
            passkeys = tuple(credential_store.list_passkeys(db, sub))
            events, _ = queries.audit_page(
                db, where=AuditFilter(user_sub=sub), before=None, limit=RECENT_EVENTS
            )
        return UserDetail(user=row, passkeys=passkeys, recent_events=tuple(events))

    def set_enabled(
        self, admin: SignedInUser, *, sub: str, enabled: bool, client: ClientInfo
    ) -> None:
        """AdminEnableUser / AdminDisableUser; an admin cannot disable themselves."""
        self._require_fresh(admin)
        if sub == admin.sub and not enabled:
            raise AdminError(AdminFailure.OWN_ACCOUNT, "disable self")
        user = self._directory.by_sub(sub)
        self._directory.set_enabled(username=user.username, enabled=enabled)
        self._audit(
            AuditEventType.ADMIN_USER_ENABLE if enabled else AuditEventType.ADMIN_USER_DISABLE,
            admin,
            user,
            client,
        )

    def sign_out_everywhere(self, admin: SignedInUser, *, sub: str, client: ClientInfo) -> int:
        """AdminUserGlobalSignOut plus every browser session of the user; how many ended."""
        self._require_fresh(admin)
        user = self._directory.by_sub(sub)
        self._directory.global_sign_out(username=user.username)
        with session_scope(self._engine) as db:
            result = db.execute(delete(BrowserSession).where(BrowserSession.user_sub == sub))  # type: ignore[arg-type]
            ended = int(result.rowcount or 0)  # type: ignore[attr-defined]
            self._record(
                db, AuditEventType.ADMIN_USER_SIGN_OUT, admin, user, client, f"sessions={ended}"
            )
        if self._notices is not None:
            self._notices.sessions_ended_by_admin(to=user.email, sessions_ended=ended)
        return ended

    def delete_passkey(
        self, admin: SignedInUser, *, sub: str, passkey_id: int, client: ClientInfo
    ) -> None:
        """Remove one passkey of a user (e.g. a lost device)."""
        self._require_fresh(admin)
        user = self._directory.by_sub(sub)
        with session_scope(self._engine) as db:
            if not credential_store.delete_passkey(db, user_sub=sub, passkey_id=passkey_id):
                raise AdminError(AdminFailure.PASSKEY_NOT_FOUND, "delete of a missing passkey")
            self._record(
                db,
                AuditEventType.ADMIN_PASSKEY_DELETE,
                admin,
                user,
                client,
                f"passkey={passkey_id}",
            )

    def adoption(self, admin: SignedInUser, *, days: int = 30) -> Adoption:
        """The adoption charts over the last ``days`` days (7 to 365)."""
        self.require_admin(admin)
        days = max(7, min(days, 365))
        now = self._clock()
        since = now - timedelta(days=days - 1)
        since = since.replace(hour=0, minute=0, second=0, microsecond=0)
        with session_scope(self._engine) as db:
            return Adoption(
                window_days=days,
                active=metrics.active_users(db, since=since),
                logins=tuple(metrics.logins_per_day(db, since=since, until=now)),
                monthly=tuple(metrics.monthly_adoption(db, since=now - timedelta(days=365))),
                models=tuple(metrics.top_models(db)),
            )

    def audit_log(
        self,
        admin: SignedInUser,
        *,
        user: str = "",
        event_type: str = "",
        since: datetime | None = None,
        until: datetime | None = None,
        cursor: str = "",
        limit: int = 50,
    ) -> tuple[list[AuditRow], str]:
        """A page of the audit log, newest first; ``user`` is an email or a sub."""
        self.require_admin(admin)
        where = AuditFilter(event_type=event_type or None, since=since, until=until)
        who = user.strip()
        if "@" in who:
            found = self._directory.by_email(who)
            where = AuditFilter(
                user_sub=found.sub if found else None,
                email=who.lower(),
                event_type=where.event_type,
                since=since,
                until=until,
            )
        elif who:
            if not valid_sub(who):
                raise AdminError(AdminFailure.INVALID_INPUT, "malformed sub")
            where = AuditFilter(user_sub=who, event_type=where.event_type, since=since, until=until)
        before = AuditCursor.decode(cursor) if cursor else None
        if cursor and before is None:
            raise AdminError(AdminFailure.INVALID_INPUT, "malformed cursor")
        with session_scope(self._engine) as db:
            rows, after = queries.audit_page(db, where=where, before=before, limit=limit)
        return rows, after.encode() if after else ""

    def event_types(self, admin: SignedInUser) -> list[str]:
        """The filter's choices: every type of event the app records (from the enum; a
        DISTINCT over the whole log cost a scan of it on every visit)."""
        self.require_admin(admin)
        return sorted(event_type.value for event_type in AuditEventType)

    def _record(
        self,
        db: Session,
        event_type: AuditEventType,
        admin: SignedInUser,
        user: DirectoryUser,
        client: ClientInfo,
        detail: str = "",
    ) -> None:
        record_event(
            db,
            event_type=event_type,
            outcome="success",
            at=self._clock(),
            client=client,
            user_sub=user.sub,
            email=user.email,
            actor_sub=admin.sub,
            detail=detail,
        )

    def _audit(
        self,
        event_type: AuditEventType,
        admin: SignedInUser,
        user: DirectoryUser,
        client: ClientInfo,
    ) -> None:
        self._trail.write(
            event_type, "success", client, user_sub=user.sub, email=user.email, actor_sub=admin.sub
        )
