"""The admin dashboard's base state: the page guard (403 for non-admins). Every handler
of every admin state calls ``_admin()`` itself: any connected client can send any
event."""

from __future__ import annotations

import logging

from reflex.event import EventSpec

from passkey_app.auth import AuthState
from passkey_app.services.admin.errors import AdminError, AdminFailure
from passkey_app.services.admin.service import AdminService
from passkey_app.services.sessions.store import SignedInUser

log = logging.getLogger(__name__)

CHECKING, ALLOWED, FORBIDDEN = "checking", "allowed", "forbidden"


class AdminState(AuthState):
    """Whether this browser may see the dashboard."""

    access: str = CHECKING

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

    async def _enter(self) -> tuple[SignedInUser | None, EventSpec | None]:
        """The pages' on_load check, once for the whole load: (the admin, None); or
        (None, the login page) when signed out; or (None, None) for a non-admin (403).
        The admin found is handed to the page's first query, which checks nobody again."""
        user = await self._current_user()
        if user is None:
            self.access = CHECKING
            return None, self.login_redirect()
        if not user.is_admin:
            self.access = FORBIDDEN
            log.info("admin page refused to a non-admin")
            return None, None
        self.access = ALLOWED
        return user, None


def admin_message(error: Exception) -> str:
    """The short sentence for a failed admin call (unexpected ones are logged)."""
    if isinstance(error, AdminError):
        return error.user_message
    log.error("admin call failed unexpectedly", exc_info=error)
    return AdminError(AdminFailure.UNAVAILABLE).user_message
