"""One "Confirm it's you" for every change that wants a recent sign-in (DESIGN.md,
Throttling: adding, renaming or removing a passkey; an admin's destructive actions).

A state mixes in ``ReauthMixin``, says how old a sign-in may be (``_reauth_needed``) and
what happens once the person has confirmed (``_reauth_done``: resume what they were
doing), and places ``components.reauth.reauth_dialog(TheState)`` on its page. The person
confirms with one of their passkeys, or with the password when they have none."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import reflex as rx
from reflex.event import EventSpec

from passkey_app.services.errors import AuthError
from passkey_app.services.sessions.store import SignedInUser
from passkey_app.state.ceremony import CeremonyKind, browser_call, read_outcome

if TYPE_CHECKING:
    from passkey_app.services.audit import ClientInfo
    from passkey_app.services.container import Services


class ReauthMixin(rx.State, mixin=True):
    """The dialog's fields and handlers; mixed into an ``AuthState`` subclass."""

    reauth_open: bool = False
    reauth_js: str = ""
    reauth_error: str = ""
    reauth_busy: bool = False
    reauth_reason: str = ""
    reauth_confirmed: bool = False
    _reauth_handle: str = ""

    if TYPE_CHECKING:  # provided by AuthState, which every user of the mixin extends

        def _services(self) -> Services: ...
        def _client(self) -> ClientInfo: ...
        def _session_id(self) -> str: ...
        async def _current_user(self) -> SignedInUser | None: ...

    # ---- what a state using the mixin decides ------------------------------------

    def _reauth_needed(self, user: SignedInUser) -> bool:
        """Whether this person's sign-in is too old for the change at hand."""
        raise NotImplementedError

    async def _reauth_user(self) -> SignedInUser | None:
        """Who may use the dialog (an admin state narrows it to admins)."""
        return await self._current_user()

    async def _reauth_done(self, user: SignedInUser) -> Any:
        """After a confirmation: resume what the person was doing. The default closes
        the dialog and says so."""
        self.reauth_open = False
        return rx.toast.success("Confirmed. Try that again.")

    # ---- for the state's handlers ------------------------------------------------

    async def _fresh_or_ask(self, user: SignedInUser, reason: str) -> bool:
        """True when the change may run now; otherwise the dialog opens, saying
        ``reason`` (the end of "Confirm it's you before …")."""
        if not await asyncio.to_thread(self._reauth_needed, user):
            return True
        await self._ask_reauth(user, reason)
        return False

    async def _ask_reauth(self, user: SignedInUser, reason: str) -> None:
        self.reauth_reason, self.reauth_error = reason, ""
        self.reauth_busy, self.reauth_confirmed = False, False
        await self._prepare_reauth(user)
        self.reauth_open = True

    async def _prepare_reauth(self, user: SignedInUser) -> None:
        """A passkey request for one of the person's passkeys, ready before the click;
        none when they have no passkey (the dialog then asks for the password)."""
        account = self._services().passkey_account
        self._reauth_handle, self.reauth_js = "", ""
        try:
            ceremony = await asyncio.to_thread(
                account.reauthentication_options, user=user, client=self._client()
            )
        except AuthError as error:
            self.reauth_error = error.user_message
            return
        if ceremony is not None:
            self._reauth_handle = ceremony.handle
            self.reauth_js = browser_call("authenticate", ceremony.options)

    def _close_reauth(self) -> None:
        self.reauth_open, self.reauth_busy, self.reauth_confirmed = False, False, False
        self.reauth_error, self.reauth_js, self._reauth_handle = "", "", ""

    # ---- the dialog's events -------------------------------------------------------

    @rx.event
    async def reauth_open_changed(self, is_open: bool) -> None:
        """The dialog's own close (Cancel, Escape, a click outside)."""
        if is_open:
            return
        self._close_reauth()
        if await self._reauth_user() is not None:
            await self._reauth_cancelled()

    async def _reauth_cancelled(self) -> None:
        """Hook: forget what was waiting for the confirmation."""

    @rx.event
    async def start_reauth_passkey(self) -> None:
        """The click runs the prepared passkey request itself; only the status here."""
        if await self._reauth_user() is not None:
            self.reauth_busy, self.reauth_error = True, ""

    @rx.event
    async def finish_reauth_passkey(self, result: Any) -> AsyncIterator[EventSpec | None]:
        """The browser's answer to the passkey request."""
        user = await self._reauth_user()
        if user is None:
            self._close_reauth()
            return
        handle, self._reauth_handle = self._reauth_handle, ""
        outcome = read_outcome(result)
        self.reauth_error = ""
        if outcome.credential is None or not handle:
            self.reauth_error = outcome.message_for(CeremonyKind.CONFIRM)
        else:
            try:
                await asyncio.to_thread(
                    self._services().passkey_account.confirm_with_passkey,
                    user=user,
                    session_id=self._session_id(),
                    handle=handle,
                    response=outcome.credential,
                    client=self._client(),
                )
            except AuthError as error:
                self.reauth_error = error.user_message
        self.reauth_busy = False
        if self.reauth_error:
            await self._prepare_reauth(user)
            return
        yield await self._confirmed()

    @rx.event
    async def confirm_reauth_password(
        self, form: dict[str, Any]
    ) -> AsyncIterator[EventSpec | None]:
        """The password, for people without a passkey."""
        user = await self._reauth_user()
        if user is None:
            self._close_reauth()
            return
        if self.reauth_busy:
            return
        self.reauth_busy, self.reauth_error = True, ""
        yield None
        try:
            await asyncio.to_thread(
                self._services().passkey_account.confirm_with_password,
                user=user,
                session_id=self._session_id(),
                password=str(form.get("password", ""))[:256],
                client=self._client(),
            )
        except AuthError as error:
            self.reauth_busy, self.reauth_error = False, error.user_message
            return
        self.reauth_busy = False
        yield await self._confirmed()

    async def _confirmed(self) -> Any:
        self.reauth_js, self._reauth_handle = "", ""
        user = await self._reauth_user()
        if user is None:
            self._close_reauth()
            return None
        return await self._reauth_done(user)
