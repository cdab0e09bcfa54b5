"""The root path sends people where they belong."""

from __future__ import annotations

import reflex as rx
from reflex.event import EventSpec

from passkey_app import routes
from passkey_app.auth import AuthState


class HomeState(AuthState):
    """No fields: the page only routes."""

    @rx.event
    async def on_load(self) -> EventSpec:
        """Account when signed in, login otherwise."""
        user = await self._current_user()
        return rx.redirect(routes.ACCOUNT if user else routes.LOGIN)
