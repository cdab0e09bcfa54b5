"""The admin dashboard's base state: the page guard (403 for non-admins) and the
"Confirm it's you" step before destructive actions. Every handler of every admin state
calls ``_admin()`` itself: any connected client can send any event."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import reflex as rx
from reflex.event import EventSpec

from passkey_app.auth import AuthState
from passkey_app.services.admin.errors import AdminError, AdminFailure
from passkey_app.services.admin.service import AdminService
from passkey_app.services.errors import AuthError
from passkey_app.services.sessions.store import SignedInUser

log = logging.getLogger(__name__)

CHECKING, ALLOWED, FORBIDDEN = "checking", "allowed", "forbidden"


class AdminState(AuthState):
    """Whether this browser may see the dashboard, and the re-authentication dialog."""

    access: str = CHECKING
    reauth_open: bool = False
    reauth_js: str = ""
    reauth_error: str = ""
    reauth_busy: bool = False
    _reauth_handle: str = ""

    def _admin_service(self) -> AdminService:
        return self._services().admin

    async def _admin(self) -> SignedInUser | None:
        """The signed-in admin, or None (and the page switches to 403) for anyone else."""
        user = await self._current_user()
        if user is None or not user.is_admin:
            self.access = FORBIDDEN
            return None
        self.access = ALLOWED
        return user

    async def _guard(self) -> AsyncIterator[EventSpec | None]:
        """Shared by the pages' on_load: signed out -> login page, non-admin -> 403."""
        self.access = CHECKING
        user = await self._current_user()
        if user is None:
            yield self.login_redirect()
            return
        if not user.is_admin:
            self.access = FORBIDDEN
            log.info("admin page refused to a non-admin")
            return
        self.access = ALLOWED

    async def _fresh(self, user: SignedInUser) -> bool:
        """True when a destructive action may run now; otherwise the dialog asks first."""
        service = self._admin_service()
        if not await asyncio.to_thread(service.needs_reauthentication, user):
            return True
        self.reauth_error, self.reauth_open = "", True
        await self._prepare_reauth(user)
        return False

    async def _prepare_reauth(self, user: SignedInUser) -> None:
        try:
            self._reauth_handle, self.reauth_js = await self._reauth_ceremony(user)
        except AuthError as error:
            self._reauth_handle, self.reauth_js = "", ""
            self.reauth_error = error.user_message

    @rx.event
    async def close_reauth(self, value: bool = False) -> None:
        """The dialog's own close (Cancel, Escape, outside click)."""
        if await self._admin() is None:
            return
        if not value:
            self.reauth_open, self.reauth_busy, self.reauth_error = False, False, ""

    @rx.event
    async def start_reauth_passkey(self) -> None:
        """The click runs the prepared passkey request; only the spinner starts here."""
        if await self._admin() is None:
            return
        self.reauth_busy, self.reauth_error = True, ""

    @rx.event
    async def finish_reauth_passkey(self, result: Any) -> AsyncIterator[EventSpec | None]:
        """The admin's passkey confirmed it's them: the login counts as fresh again."""
        user = await self._admin()
        if user is None:
            return
        handle, self._reauth_handle = self._reauth_handle, ""
        self.reauth_busy = False
        self.reauth_error = await self._confirm_with_passkey(user, handle, result)
        if self.reauth_error:
            await self._prepare_reauth(user)
            return
        self.reauth_open = False
        yield rx.toast.success("Confirmed. Try the action again.")

    @rx.event
    async def confirm_password(self, form: dict[str, Any]) -> AsyncIterator[EventSpec | None]:
        """The admin's password confirmed it's them: the login counts as fresh again."""
        user = await self._admin()
        if user is None or self.reauth_busy:
            return
        self.reauth_busy, self.reauth_error = True, ""
        self.reauth_error = await self._confirm_with_password(user, form)
        self.reauth_busy = False
        if self.reauth_error:
            return
        self.reauth_open = False
        yield rx.toast.success("Confirmed. Try the action again.")


def admin_message(error: Exception) -> str:
    """The short sentence for a failed admin call (unexpected ones are logged)."""
    if isinstance(error, AdminError):
        return error.user_message
    log.error("admin call failed unexpectedly", exc_info=error)
    return AdminError(AdminFailure.UNAVAILABLE).user_message
