"""SQLModel tables. The schema changes only through Alembic revisions in alembic/."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Column, DateTime, Text
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    """Timezone-aware now; every timestamp in the database is UTC."""
    return datetime.now(UTC)


class BrowserSession(SQLModel, table=True):
    """One signed-in browser. The cookie holds a random id; only its hash is stored.

    A row starts *pending* (``handoff_hash`` set, ``token_hash`` empty) when a factor
    has been verified over the websocket, and becomes active when the browser posts
    the one-time handoff code to the backend route that sets the HttpOnly cookie.
    """

    __tablename__ = "browser_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str | None = Field(default=None, max_length=64, unique=True, index=True)
    handoff_hash: str | None = Field(default=None, max_length=64, unique=True, index=True)
    handoff_expires_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    user_sub: str = Field(max_length=64, index=True)
    username: str = Field(max_length=128)
    email: str = Field(max_length=320)
    auth_method: str = Field(max_length=32)
    authenticated_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    encrypted_tokens: str = Field(sa_column=Column(Text, nullable=False))
    access_expires_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    expires_at: datetime = Field(
        sa_column=Column(DateTime(timezone=True), nullable=False, index=True)
    )
    last_seen_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    ip_address: str = Field(default="", max_length=64)
    user_agent: str = Field(default="", max_length=512)


class AuditEvent(SQLModel, table=True):
    """Who did what, when, from where. Never a secret, token, proof or challenge."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    occurred_at: datetime = Field(
        sa_column=Column(DateTime(timezone=True), nullable=False, index=True)
    )
    event_type: str = Field(max_length=64, index=True)
    outcome: str = Field(max_length=16)
    user_sub: str | None = Field(default=None, max_length=64, index=True)
    email: str | None = Field(default=None, max_length=320)
    actor_sub: str | None = Field(default=None, max_length=64)
    ip_address: str = Field(default="", max_length=64)
    user_agent: str = Field(default="", max_length=512)
    detail: str = Field(default="", max_length=1000)
