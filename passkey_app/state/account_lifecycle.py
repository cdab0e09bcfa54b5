"""The account page's "Sign-in methods" and "Delete account" cards: removing the password
when a synced passkey allows it, and deleting the account. Both want a sign-in younger
than five minutes (the one "Confirm it's you" otherwise); deleting also wants the address
typed. Every handler checks the session itself."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import reflex as rx
from reflex.event import EventSpec

from passkey_app import routes
from passkey_app.auth import AuthState
from passkey_app.services.errors import AuthError, AuthFailure, UserFacingError
from passkey_app.services.sessions.store import SignedInUser
from passkey_app.state.ceremony import post_navigate_call, signal_accepted_call, then_call
from passkey_app.state.reauth import ReauthMixin

log = logging.getLogger(__name__)

REMOVE_REASON = (
    "You signed in more than five minutes ago. Confirm it's you before removing your password."
)
DELETE_REASON = (
    "You signed in more than five minutes ago. Confirm it's you before deleting your account."
)
PASSWORD_REMOVED = "Password removed. You sign in with your passkeys now."  # noqa: S105 (words)
UNEXPECTED = AuthError(AuthFailure.UNEXPECTED).user_message
REMOVE_PASSWORD, DELETE_ACCOUNT = "remove_password", "delete_account"


def _message(error: Exception) -> str:
    if isinstance(error, UserFacingError):
        return error.user_message
    log.error("an account change failed unexpectedly", exc_info=error)
    return UNEXPECTED


class AccountLifecycleState(ReauthMixin, AuthState):
    """What the two cards show, their dialogs, and the change waiting for "Confirm it's you"."""

    methods_loaded: bool = False
    account_email: str = ""
    has_password: bool = False
    passkey_count: int = 0
    synced_count: int = 0
    can_remove_password: bool = False
    passwordless_since: str = ""
    remove_open: bool = False
    remove_busy: bool = False
    remove_error: str = ""
    delete_open: bool = False
    delete_busy: bool = False
    delete_error: str = ""
    _pending: str = ""

    @rx.event
    async def on_load(self) -> None:
        """Read the person's ways in (the page guard has sent signed-out visitors away)."""
        self.methods_loaded, self.remove_open, self.delete_open = False, False, False
        self._pending = ""
        self._close_reauth()
        await self._load_methods()

    @rx.event
    async def refresh(self) -> None:
        """Read the ways in again (after a passkey was added or removed)."""
        await self._load_methods()

    async def _load_methods(self) -> None:
        user = await self._current_user()
        if user is None:
            self.methods_loaded = False
            return
        methods = await asyncio.to_thread(self._services().passwordless.methods, user=user)
        self.account_email = user.email
        self.has_password = methods.has_password
        self.passkey_count = methods.passkeys
        self.synced_count = methods.synced_passkeys
        self.can_remove_password = methods.can_remove_password
        since = methods.passwordless_since
        self.passwordless_since = since.strftime("%d %b %Y") if since else ""
        self.methods_loaded = True

    # ---- "Confirm it's you" --------------------------------------------------------

    def _reauth_needed(self, user: SignedInUser) -> bool:
        return self._services().passwordless.needs_reauthentication(user=user)

    async def _reauth_cancelled(self) -> None:
        self._pending = ""

    async def _reauth_done(self, user: SignedInUser) -> Any:
        """Resume what asked: the removal runs (the person already said yes), the
        deletion's dialog opens (it still wants the address typed)."""
        self._close_reauth()
        pending, self._pending = self._pending, ""
        if pending == REMOVE_PASSWORD:
            return AccountLifecycleState.remove_password
        if pending == DELETE_ACCOUNT:
            self.delete_open, self.delete_error = True, ""
        return None

    # ---- removing the password -------------------------------------------------------

    @rx.event
    async def open_remove(self) -> None:
        """Ask before removing the password."""
        if await self._current_user() is not None:
            self.remove_open, self.remove_error = True, ""

    @rx.event
    def remove_open_changed(self, is_open: bool) -> None:
        """Escape, Cancel or a click outside closes the question."""
        if not is_open:
            self.remove_open, self.remove_error = False, ""

    @rx.event
    async def remove_password(self) -> AsyncIterator[EventSpec | None]:
        """Replace the password with a random one nobody keeps (a synced passkey needed)."""
        user = await self._current_user()
        if user is None:
            yield self.login_redirect()
            return
        if self.remove_busy:
            return
        if not await self._fresh_or_ask(user, REMOVE_REASON):
            self._pending, self.remove_open = REMOVE_PASSWORD, False
            return
        self.remove_busy, self.remove_error = True, ""
        yield None
        try:
            await asyncio.to_thread(
                self._services().passwordless.remove_password, user=user, client=self._client()
            )
        except AuthError as error:
            self.remove_busy = False
            if error.failure is AuthFailure.REAUTHENTICATION_REQUIRED:
                self._pending, self.remove_open = REMOVE_PASSWORD, False
                await self._ask_reauth(user, REMOVE_REASON)
                return
            self.remove_open, self.remove_error = True, error.user_message
            return
        except Exception as error:
            self.remove_busy, self.remove_open, self.remove_error = False, True, _message(error)
            return
        self.remove_busy, self.remove_open = False, False
        await self._load_methods()
        yield rx.toast.success(PASSWORD_REMOVED)

    # ---- deleting the account --------------------------------------------------------

    @rx.event
    async def open_delete(self) -> None:
        """The deletion's dialog, after "Confirm it's you" when the sign-in is old."""
        user = await self._current_user()
        if user is None:
            return
        self._pending = DELETE_ACCOUNT
        if await self._fresh_or_ask(user, DELETE_REASON):
            self._pending = ""
            self.delete_open, self.delete_error = True, ""

    @rx.event
    def delete_open_changed(self, is_open: bool) -> None:
        """Escape, Cancel or a click outside keeps the account."""
        if not is_open and not self.delete_busy:
            self.delete_open, self.delete_error = False, ""

    @rx.event
    async def confirm_delete(self, form: dict[str, Any]) -> AsyncIterator[EventSpec | None]:
        """Delete the account, then sign this browser out and ask it to forget the
        account's passkeys."""
        user = await self._current_user()
        if user is None:
            yield self.login_redirect()
            return
        if self.delete_busy:
            return
        self.delete_busy, self.delete_error = True, ""
        yield None
        try:
            deleted = await asyncio.to_thread(
                self._services().account_deletion.delete,
                user=user,
                confirmation=str(form.get("confirmation", ""))[:512],
                client=self._client(),
            )
        except AuthError as error:
            self.delete_busy = False
            if error.failure is AuthFailure.REAUTHENTICATION_REQUIRED:
                self._pending, self.delete_open = DELETE_ACCOUNT, False
                await self._ask_reauth(user, DELETE_REASON)
                return
            self.delete_error = error.user_message
            return
        except Exception as error:
            self.delete_busy, self.delete_error = False, _message(error)
            return
        settings = self._services().settings
        leave = post_navigate_call(
            f"{settings.api_url.rstrip('/')}{routes.API_SESSION_LOGOUT}",
            {"then": "deleted"},
            leaving=True,
        )
        if deleted.user_handle:
            leave = then_call(signal_accepted_call(settings.rp_id, deleted.user_handle, []), leave)
        yield rx.call_script(leave)
