"""The audit trail: who did what, when, from where. Never a secret or a token."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType

from sqlalchemy import insert
from sqlalchemy.engine import Engine
from sqlmodel import Session

from passkey_app.db import session_scope
from passkey_app.models import (
    DETAIL_LENGTH,
    IP_ADDRESS_LENGTH,
    USER_AGENT_LENGTH,
    AuditEvent,
)
from passkey_app.services.clock import Clock, system_clock
from passkey_app.services.login_stats import Login, note_logins


class AuditEventType(StrEnum):
    """What an audit row records; the value is what the table stores and filters on."""

    LOGIN_PASSWORD = "login.password"  # noqa: S105 (a name, not a secret)
    LOGIN_PASSKEY = "login.passkey"
    SIGNUP_PASSKEY = "signup.passkey"
    SESSION_START = "session.start"
    SESSION_END = "session.end"
    PASSKEY_REGISTER = "passkey.register"
    PASSKEY_RENAME = "passkey.rename"
    PASSKEY_DELETE = "passkey.delete"
    REAUTH_PASSKEY = "reauth.passkey"
    REAUTH_PASSWORD = "reauth.password"  # noqa: S105 (a name, not a secret)
    MAGIC_LINK_REQUEST = "magic_link.request"
    MAGIC_LINK_REDEEM = "magic_link.redeem"
    ACCOUNT_EMAIL_CONFIRMED = "account.email_confirmed"
    ACCOUNT_CLAIMED = "account.claimed"
    ACCOUNT_EXPIRED = "account.expired"
    ADMIN_USER_ENABLE = "admin.user_enable"
    ADMIN_USER_DISABLE = "admin.user_disable"
    ADMIN_USER_SIGN_OUT = "admin.user_sign_out"
    ADMIN_PASSKEY_DELETE = "admin.passkey_delete"
    PASSWORD_CHANGE = "password.change"  # noqa: S105 (a name, not a secret)
    PASSWORD_REMOVE = "password.remove"  # noqa: S105 (a name, not a secret)
    ACCOUNT_DELETE = "account.delete"
    ADMIN_USER_INVITE = "admin.user_invite"
    PASSWORD_RESET_REQUEST = "password.reset_request"  # noqa: S105 (a name, not a secret)
    PASSWORD_RESET = "password.reset"  # noqa: S105 (a name, not a secret)

    @property
    def label(self) -> str:
        """The event in words, for people reading the log."""
        return AUDIT_EVENT_LABELS[self]


AUDIT_EVENT_LABELS: Mapping[AuditEventType, str] = MappingProxyType(
    {
        AuditEventType.LOGIN_PASSWORD: "Signed in with a password",
        AuditEventType.LOGIN_PASSKEY: "Signed in with a passkey",
        AuditEventType.SIGNUP_PASSKEY: "Signed up with a passkey",
        AuditEventType.SESSION_START: "Session started",
        AuditEventType.SESSION_END: "Session ended",
        AuditEventType.PASSKEY_REGISTER: "Passkey added",
        AuditEventType.PASSKEY_RENAME: "Passkey renamed",
        AuditEventType.PASSKEY_DELETE: "Passkey removed",
        AuditEventType.REAUTH_PASSKEY: "Confirmed with a passkey",
        AuditEventType.REAUTH_PASSWORD: "Confirmed with a password",
        AuditEventType.MAGIC_LINK_REQUEST: "Email link requested",
        AuditEventType.MAGIC_LINK_REDEEM: "Email link used",
        AuditEventType.ACCOUNT_EMAIL_CONFIRMED: "Email address confirmed",
        AuditEventType.ACCOUNT_CLAIMED: "Account claimed by the mailbox owner",
        AuditEventType.ACCOUNT_EXPIRED: "Unconfirmed account removed",
        AuditEventType.ADMIN_USER_ENABLE: "Admin enabled the user",
        AuditEventType.ADMIN_USER_DISABLE: "Admin disabled the user",
        AuditEventType.ADMIN_USER_SIGN_OUT: "Admin signed the user out everywhere",
        AuditEventType.ADMIN_PASSKEY_DELETE: "Admin removed a passkey",
        AuditEventType.PASSWORD_CHANGE: "Password changed",
        AuditEventType.PASSWORD_REMOVE: "Password removed (passwordless)",
        AuditEventType.ACCOUNT_DELETE: "Account deleted by its owner",
        AuditEventType.ADMIN_USER_INVITE: "Admin invited the user",
        AuditEventType.PASSWORD_RESET_REQUEST: "Password reset code requested",
        AuditEventType.PASSWORD_RESET: "Password reset with an emailed code",
    }
)


LOGIN_EVENT_METHODS: Mapping[AuditEventType, str] = MappingProxyType(
    {
        AuditEventType.LOGIN_PASSKEY: "passkey",
        AuditEventType.LOGIN_PASSWORD: "password",
        AuditEventType.MAGIC_LINK_REDEEM: "magic_link",  # an email link's redemption
    }
)
"""The events that count as a sign-in, with the method's stored value (SignInMethod)."""


@dataclass(frozen=True)
class ClientInfo:
    """Where a request came from, as far as the server can tell."""

    ip_address: str = ""
    user_agent: str = ""
    tab_key: str = ""
    """A hash of the browser tab (services.client_address.tab_key); empty over plain HTTP."""
    path: str = ""
    """The page or route the request came through (told to Cognito with the address)."""


_RECORD = insert(AuditEvent.__table__)  # type: ignore[attr-defined]
"""One audit row: a plain INSERT, built once (every sign-in writes one)."""


def record_event(
    session: Session,
    *,
    event_type: AuditEventType,
    outcome: str,
    at: datetime,
    client: ClientInfo,
    user_sub: str | None = None,
    email: str | None = None,
    actor_sub: str | None = None,
    detail: str = "",
) -> None:
    """Add one audit row to the caller's unit of work; a successful sign-in is also
    counted (services/login_stats.py) in the same unit of work."""
    method = LOGIN_EVENT_METHODS.get(event_type)
    if method is not None and outcome == "success" and user_sub:
        note_logins(session, [Login(user_sub=user_sub, method=method, at=at)])
    session.execute(
        _RECORD,
        {
            "occurred_at": at,
            "event_type": event_type.value,
            "outcome": outcome,
            "user_sub": user_sub,
            "email": email.lower() if email else None,
            "actor_sub": actor_sub,
            "ip_address": client.ip_address[:IP_ADDRESS_LENGTH],
            "user_agent": client.user_agent[:USER_AGENT_LENGTH],
            "detail": detail[:DETAIL_LENGTH],
        },
    )


@dataclass(frozen=True)
class AuditTrail:
    """One service's way to the audit table: its engine and its clock."""

    engine: Engine
    clock: Clock = system_clock

    def write(
        self,
        event_type: AuditEventType,
        outcome: str,
        client: ClientInfo,
        *,
        email: str | None = None,
        user_sub: str | None = None,
        actor_sub: str | None = None,
        detail: str = "",
    ) -> None:
        """Record one event now, in a unit of work of its own (failures are worth
        keeping even when the caller's own work is rolled back)."""
        with session_scope(self.engine) as db:
            record_event(
                db,
                event_type=event_type,
                outcome=outcome,
                at=self.clock(),
                client=client,
                user_sub=user_sub,
                email=email,
                actor_sub=actor_sub,
                detail=detail,
            )
