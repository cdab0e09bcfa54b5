"""The audit log: filter by user (email or sub), event type and dates; keyset pages."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import reflex as rx
from reflex.event import EventSpec

from passkey_app.services.sessions.store import SignedInUser
from passkey_app.state.admin.base import AdminState, admin_message
from passkey_app.state.admin.user import EventItem, event_item

PAGE_SIZE = 50
ANY_TYPE = "any"


def _day(value: object) -> datetime | None:
    try:
        return datetime.strptime(str(value), "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        return None


class AdminAuditState(AdminState):
    """The filter, the rows on screen and the cursors of the pages visited."""

    user: str = ""
    event_type: str = ANY_TYPE
    since: str = ""
    until: str = ""
    types: list[str] = []
    rows: list[EventItem] = []
    page_number: int = 1
    has_next: bool = False
    error: str = ""
    _cursors: list[str] = []
    _next_cursor: str = ""

    @rx.event
    async def on_load(self) -> AsyncIterator[EventSpec | None]:
        """Guard the page, then the newest events (``?user=`` pre-filters)."""
        admin, redirect = await self._enter()
        if redirect is not None:
            yield redirect
        if admin is None:
            return
        self.user = str(self.router.url.query_parameters.get("user", ""))[:320]
        self.event_type, self.since, self.until, self._cursors = ANY_TYPE, "", "", []
        self.types = [ANY_TYPE, *self._admin_service().event_types(admin)]
        await self._fetch("", admin)

    async def _fetch(self, cursor: str, admin: SignedInUser | None = None) -> None:
        admin = admin or await self._admin()
        if admin is None:
            self.rows = []
            return
        until = _day(self.until)
        try:
            rows, after = await asyncio.to_thread(
                self._admin_service().audit_log,
                admin,
                user=self.user,
                event_type="" if self.event_type == ANY_TYPE else self.event_type,
                since=_day(self.since),
                until=until + timedelta(days=1) if until else None,
                cursor=cursor,
                limit=PAGE_SIZE,
            )
        except Exception as error:
            self.rows, self.error, self.has_next = [], admin_message(error), False
            return
        self.rows = [event_item(row) for row in rows]
        self._next_cursor, self.has_next = after, bool(after)
        self.page_number, self.error = len(self._cursors) + 1, ""

    @rx.event
    async def apply(self, form: dict[str, Any]) -> None:
        """Filter the log by what the form says."""
        if await self._admin() is None:
            return
        self.user = str(form.get("user", "")).strip()[:320]
        self.since = str(form.get("since", ""))[:10]
        self.until = str(form.get("until", ""))[:10]
        self._cursors = []
        await self._fetch("")

    @rx.event
    async def set_event_type(self, value: str) -> None:
        """Only one kind of event (or any)."""
        if await self._admin() is None:
            return
        self.event_type = value if value in self.types else ANY_TYPE
        self._cursors = []
        await self._fetch("")

    @rx.event
    async def next_page(self) -> None:
        """Older events."""
        if await self._admin() is None or not self._next_cursor:
            return
        self._cursors = [*self._cursors, self._next_cursor]
        await self._fetch(self._next_cursor)

    @rx.event
    async def previous_page(self) -> None:
        """Newer events."""
        if await self._admin() is None or not self._cursors:
            return
        self._cursors = self._cursors[:-1]
        await self._fetch(self._cursors[-1] if self._cursors else "")
