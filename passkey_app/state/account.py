"""The account page: who is signed in, and how."""

from __future__ import annotations

import asyncio

import reflex as rx
from reflex.event import EventSpec

from passkey_app.auth import AuthState
from passkey_app.services.clock import duration_words
from passkey_app.services.errors import AuthError
from passkey_app.services.sign_in import METHOD_LABELS

CONFIRMATION_SENT = "We sent the link again. Check your email."


class AccountState(AuthState):
    """What the account page shows; filled only after the session checks out."""

    loaded: bool = False
    email: str = ""
    sub: str = ""
    method: str = ""
    signed_in_at: str = ""
    session_expires_at: str = ""
    idle_limit: str = ""
    is_admin: bool = False
    notice: str = ""
    email_unconfirmed: bool = False

    @rx.event
    async def on_load(self) -> None:
        """Fill the page once the server has checked the session (signed-out visitors were
        sent to sign in by the page guard); nothing is shown before."""
        self.loaded = False
        user = await self.signed_in_user()
        if user is None:
            return  # the page guard has sent them to sign in
        self.email = user.email
        self.sub = user.sub
        self.method = METHOD_LABELS.get(user.auth_method, user.auth_method)
        self.signed_in_at = user.authenticated_at.strftime("%d %b %Y, %H:%M UTC")
        self.session_expires_at = user.session_expires_at.strftime("%d %b %Y, %H:%M UTC")
        self.idle_limit = duration_words(self._services().sessions.idle_timeout)
        self.is_admin = user.is_admin
        self.notice = user.notice
        self.email_unconfirmed = await asyncio.to_thread(
            self._services().provisional.is_provisional, user.sub
        )
        self.loaded = True

    @rx.event
    async def dismiss_notice(self) -> None:
        """The person has read what happened to their account."""
        self.notice = ""
        await asyncio.to_thread(self._services().sessions.clear_notice, self._session_id())

    @rx.event
    async def resend_confirmation(self) -> EventSpec | None:
        """Mail the "confirm your email" link again (at most once a minute)."""
        user = await self._current_user()
        if user is None:
            return self.login_redirect()
        try:
            await asyncio.to_thread(
                self._services().magic_links.resend_confirmation,
                email=user.email,
                user_sub=user.sub,
                client=self._client(),
            )
        except AuthError as error:
            return rx.toast.error(error.user_message)
        return rx.toast.success(CONFIRMATION_SENT)
