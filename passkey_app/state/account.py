"""The account page: who is signed in, and how."""

from __future__ import annotations

from collections.abc import AsyncIterator

import reflex as rx
from reflex.event import EventSpec

from passkey_app import routes
from passkey_app.state.session import SessionState

METHOD_LABELS = {"password": "Password", "passkey": "Passkey", "magic_link": "Email link"}


class AccountState(SessionState):
    """What the account page shows; filled only after the session checks out."""

    loaded: bool = False
    email: str = ""
    sub: str = ""
    method: str = ""
    signed_in_at: str = ""
    session_expires_at: str = ""
    is_admin: bool = False

    @rx.event
    async def on_load(self) -> AsyncIterator[EventSpec | None]:
        """Signed-out visitors go to the login page; nothing is shown before the check."""
        self.loaded = False
        user = await self._current_user()
        if user is None:
            yield rx.redirect(routes.LOGIN)
            return
        self.email = user.email
        self.sub = user.sub
        self.method = METHOD_LABELS.get(user.auth_method, user.auth_method)
        self.signed_in_at = user.authenticated_at.strftime("%d %b %Y, %H:%M UTC")
        self.session_expires_at = user.session_expires_at.strftime("%d %b %Y, %H:%M UTC")
        self.is_admin = user.is_admin
        self.loaded = True
