"""The account page's "Sessions and devices": the person's sessions, and signing out the
others. Every handler checks the session on the server first.

Signing out other sessions needs no fresh sign-in, unlike the account changes DESIGN.md
"Throttling" lists: it protects the account, and someone who fears a stolen session must
be able to end it at once (services/sessions/devices.py says more)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

import reflex as rx
from reflex.event import EventSpec

from passkey_app.auth import AuthState
from passkey_app.services.errors import UserFacingError
from passkey_app.services.sessions.devices import SessionSummary
from passkey_app.services.sessions.store import SignedInUser
from passkey_app.services.sign_in import METHOD_LABELS


@dataclass
class SessionItem:
    """One row of the list, formatted for people."""

    id: int
    device: str
    ip_address: str
    method: str
    signed_in: str
    last_active: str
    current: bool


def last_active(moment: datetime, now: datetime) -> str:
    """ "Active now", "Active 5 min ago", "Active 3 h ago", "Active 2 days ago"."""
    seconds = max(0.0, (now - moment).total_seconds())
    if seconds < 120:
        return "Active now"
    if seconds < 3600:
        return f"Active {int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"Active {int(seconds // 3600)} h ago"
    days = int(seconds // 86400)
    return f"Active {days} day{'s' if days > 1 else ''} ago"


def to_item(summary: SessionSummary, now: datetime) -> SessionItem:
    """The list row of one session."""
    return SessionItem(
        id=summary.id,
        device=summary.device.label,
        ip_address=summary.ip_address or "Unknown address",
        method=METHOD_LABELS.get(summary.method, summary.method),
        signed_in=f"Signed in {summary.signed_in_at:%d %b %Y, %H:%M} UTC",
        last_active=last_active(summary.last_active_at, now),
        current=summary.current,
    )


class SessionsState(AuthState):
    """Fields and handlers of the sessions card."""

    loaded: bool = False
    items: list[SessionItem] = []
    busy: bool = False

    @rx.var
    def has_others(self) -> bool:
        """Whether any session but this one is live."""
        return any(not item.current for item in self.items)

    async def _require(self) -> SignedInUser | None:
        user = await self._current_user()
        if user is None:
            self.loaded, self.items = False, []
        return user

    async def _refresh(self, user: SignedInUser) -> None:
        devices = self._services().session_devices
        summaries = await asyncio.to_thread(devices.list, user=user, session_id=self._session_id())
        now = datetime.now(UTC)
        self.items = [to_item(summary, now) for summary in summaries]
        self.loaded = True

    @rx.event
    async def on_load(self) -> None:
        """Load the list once the server has checked the session."""
        self.loaded, self.busy = False, False
        user = await self._require()
        if user is not None:
            await self._refresh(user)

    @rx.event
    async def sign_out_session(self, session_row: int) -> AsyncIterator[EventSpec | None]:
        """Sign out one of the person's other sessions (never someone else's: the service
        ends only the caller's own)."""
        user = await self._require()
        if user is None:
            yield self.login_redirect()
            return
        if type(session_row) is not int or self.busy:
            return
        self.busy = True
        yield None
        try:
            await asyncio.to_thread(
                self._services().session_devices.end,
                user=user,
                session_row=session_row,
                session_id=self._session_id(),
                client=self._client(),
            )
        except UserFacingError as error:
            yield rx.toast.error(error.user_message)
        else:
            yield rx.toast.success("Signed out of that session")
        finally:
            self.busy = False
        await self._refresh(user)

    @rx.event
    async def sign_out_others(self) -> AsyncIterator[EventSpec | None]:
        """Sign out every session but this one, revoking their refresh tokens."""
        user = await self._require()
        if user is None:
            yield self.login_redirect()
            return
        if self.busy:
            return
        self.busy = True
        yield None
        ended = await asyncio.to_thread(
            self._services().session_devices.end_others,
            user=user,
            session_id=self._session_id(),
            client=self._client(),
        )
        self.busy = False
        await self._refresh(user)
        yield rx.toast.success(f"Signed out of {ended} other session{'s' if ended != 1 else ''}")
