"""The adoption charts: numbers counted by the database, shaped for rx.recharts."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import reflex as rx
from reflex.event import EventSpec

from passkey_app.services.sessions.store import SignedInUser
from passkey_app.state.admin.base import AdminState, admin_message

WINDOWS = ("7", "30", "90")
DAY_LABELS = 10
"""About how many days the logins chart names under its bars."""


class AdminAdoptionState(AdminState):
    """Chart data for one window of days."""

    window: str = "30"
    active: int = 0
    with_passkey: int = 0
    share_label: str = "—"
    share_data: list[dict[str, Any]] = []
    logins: list[dict[str, Any]] = []
    monthly: list[dict[str, Any]] = []
    models: list[dict[str, Any]] = []
    day_tick_interval: int = 0
    loaded: bool = False
    lower_charts: bool = False
    error: str = ""

    @rx.event
    async def on_load(self) -> AsyncIterator[EventSpec | None]:
        """Guard the page, then count."""
        admin, redirect = await self._enter()
        if redirect is not None:
            yield redirect
        if admin is not None:
            await self._refresh(admin)

    @rx.event
    async def show_lower_charts(self) -> None:
        """Sent once the first screen's charts are mounted: the two below them are drawn
        after, as each chart is a sizeable render of its own (in development React, about
        a quarter of a second) and the first screen should not wait for them."""
        if await self._admin() is None:
            return
        self.lower_charts = True

    @rx.event
    async def set_window(self, value: str) -> None:
        """Another window of days (7, 30 or 90)."""
        if await self._admin() is None:
            return
        self.window = value if value in WINDOWS else "30"
        await self._refresh()

    async def _refresh(self, admin: SignedInUser | None = None) -> None:
        user = admin or await self._admin()
        if user is None:
            return
        try:
            numbers = await asyncio.to_thread(
                self._admin_service().adoption, user, days=int(self.window)
            )
        except Exception as error:
            self.error = admin_message(error)
            return
        self.active, self.with_passkey = numbers.active.active, numbers.active.with_passkey
        self.share_label = f"{numbers.active.share:.0%}" if numbers.active.active else "—"
        self.share_data = [
            {"name": "With a passkey", "value": numbers.active.with_passkey, "fill": "#3e63dd"},
            {
                "name": "Password only",
                "value": numbers.active.active - numbers.active.with_passkey,
                "fill": "#8b8d98",
            },
        ]
        self.logins = [
            {
                "day": d.day[5:],
                "Passkey": d.passkey,
                "Password": d.password,
                "Email link": d.magic_link,
            }
            for d in numbers.logins
        ]
        self.day_tick_interval = len(self.logins) // DAY_LABELS
        self.monthly = [
            {
                "month": m.month,
                "Passkey sign-ups": m.passkey_signups,
                "Password users who added one": m.password_users_added,
            }
            for m in numbers.monthly
        ]
        self.models = [{"model": m.model, "passkeys": m.passkeys} for m in numbers.models]
        self.error, self.loaded = "", True
