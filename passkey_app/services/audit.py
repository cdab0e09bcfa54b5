"""The audit trail: who did what, when, from where. Never a secret or a token."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session

from passkey_app.db import session_scope
from passkey_app.models import AuditEvent
from passkey_app.services.clock import Clock, system_clock

MAX_USER_AGENT = 512


@dataclass(frozen=True)
class ClientInfo:
    """Where a request came from, as far as the server can tell."""

    ip_address: str = ""
    user_agent: str = ""
    tab_key: str = ""
    """A hash of the browser tab (services.client_address.tab_key); empty over plain HTTP."""
    path: str = ""
    """The page or route the request came through (told to Cognito with the address)."""


def record_event(
    session: Session,
    *,
    event_type: str,
    outcome: str,
    at: datetime,
    client: ClientInfo,
    user_sub: str | None = None,
    email: str | None = None,
    actor_sub: str | None = None,
    detail: str = "",
) -> None:
    """Add one audit row to the caller's unit of work."""
    session.add(
        AuditEvent(
            occurred_at=at,
            event_type=event_type,
            outcome=outcome,
            user_sub=user_sub,
            email=email.lower() if email else None,
            actor_sub=actor_sub,
            ip_address=client.ip_address[:64],
            user_agent=client.user_agent[:MAX_USER_AGENT],
            detail=detail[:1000],
        )
    )


@dataclass(frozen=True)
class AuditTrail:
    """One service's way to the audit table: its engine and its clock."""

    engine: Engine
    clock: Clock = system_clock

    def write(
        self,
        event_type: str,
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
