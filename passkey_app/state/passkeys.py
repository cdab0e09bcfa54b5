"""The account page's passkeys: list, add (after a fresh login), rename, delete, and the
offer to create one after a password login. Every handler checks the session itself."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import reflex as rx
from reflex.event import EventSpec

from passkey_app.auth import AuthState
from passkey_app.services.errors import AuthError, AuthFailure
from passkey_app.services.magic_links.flows import offer_passkey_after_link
from passkey_app.services.passkeys.naming import DEFAULT_PASSKEY_NAME
from passkey_app.services.sessions.store import SignedInUser
from passkey_app.services.webauthn.credential_store import PasskeySummary
from passkey_app.state.account_lifecycle import AccountLifecycleState
from passkey_app.state.capabilities import CapabilitiesMixin
from passkey_app.state.ceremony import (
    CeremonyKind,
    browser_call,
    forget_call,
    read_outcome,
    signal_accepted_call,
)
from passkey_app.state.reauth import ReauthMixin
from passkey_app.state.sessions import SessionsState

log = logging.getLogger(__name__)


@dataclass
class PasskeyItem:
    """One row of the passkey list, formatted for people."""

    id: int
    name: str
    synced: bool
    detail: str


def _when(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return "Not used to sign in yet"
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    seconds = (now - moment).total_seconds()
    if seconds < 60:
        return "Used just now"
    if seconds < 3600:
        return f"Used {int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"Used {int(seconds // 3600)} h ago"
    return f"Last used {moment.strftime('%d %b %Y')}"


def to_item(summary: PasskeySummary, now: datetime) -> PasskeyItem:
    """The list row for one passkey: its model when the name doesn't already say it,
    when it was added, when it was last used."""
    parts = [
        summary.model if summary.model not in (summary.name, DEFAULT_PASSKEY_NAME) else "",
        f"Added {summary.created_at.strftime('%d %b %Y')}",
        _when(summary.last_used_at, now),
    ]
    return PasskeyItem(
        id=summary.id,
        name=summary.name,
        synced=summary.synced,
        detail=" · ".join(part for part in parts if part),
    )


def _well_typed(passkey_id: object, name: object) -> bool:
    """Reflex hands a handler the raw value when it cannot convert an argument: any
    client can send anything, so the types are checked here."""
    return type(passkey_id) is int and isinstance(name, str) and len(name) <= 200


ADD_REASON = "You signed in more than five minutes ago. Confirm it's you before adding a passkey."
CHANGE_REASON = (
    "You signed in more than five minutes ago. Confirm it's you before changing your passkeys."
)


class PasskeysState(ReauthMixin, CapabilitiesMixin, AuthState):
    """Fields and handlers of the passkeys card, the offer, and their dialogs."""

    loaded: bool = False
    items: list[PasskeyItem] = []
    offer: bool = False
    link_offer: bool = False
    register_js: str = ""
    busy: bool = False
    error: str = ""
    rename_id: int = 0
    rename_name: str = ""
    rename_error: str = ""
    delete_id: int = 0
    delete_name: str = ""
    delete_error: str = ""
    delete_sessions: int = 0
    delete_end_sessions: bool = True
    _handle: str = ""
    _pending_kind: str = ""
    _pending_id: int = 0
    _pending_name: str = ""
    _sessions_by_passkey: dict[int, int] = {}

    @rx.var
    def has_passkeys(self) -> bool:
        """Whether the list has anything to show."""
        return bool(self.items)

    @rx.event
    async def on_load(self) -> AsyncIterator[EventSpec | None]:
        """Load the list; prepare a registration when the login is fresh enough."""
        self.loaded, self.error, self.busy = False, "", False
        self._close_reauth()
        user = await self._current_user()
        if user is None:
            return
        await self._refresh(user)
        self.loaded = True
        yield self._detect_capabilities()

    async def _require(self) -> SignedInUser | None:
        user = await self._current_user()
        if user is None:
            self.loaded, self.items, self.register_js, self._handle = False, [], "", ""
        return user

    async def _refresh(self, user: SignedInUser) -> None:
        account = self._services().passkey_account
        overview = await asyncio.to_thread(account.overview, user=user)
        now = datetime.now(UTC)
        self.items = [to_item(summary, now) for summary in overview.passkeys]
        self.link_offer = offer_passkey_after_link(user, overview.passkeys)
        self.offer = overview.offer_passkey and not self.link_offer
        self._sessions_by_passkey = dict(
            await asyncio.to_thread(
                account.sessions_by_passkey, user=user, session_id=self._session_id()
            )
        )
        await self._prepare_registration(user)

    async def _prepare_registration(self, user: SignedInUser) -> None:
        account = self._services().passkey_account
        self.register_js, self._handle = "", ""
        if account.needs_reauthentication(user=user):
            return
        try:
            ceremony = await asyncio.to_thread(account.begin_add, user=user, client=self._client())
        except AuthError as error:
            self.error = error.user_message
            return
        self._handle = ceremony.handle
        self.register_js = browser_call("register", ceremony.options)

    @rx.event
    def start_ceremony(self) -> None:
        """The click runs the prepared JS itself; here only the spinner starts."""
        self.busy, self.error = True, ""

    @rx.event
    async def finish_add(self, result: Any) -> AsyncIterator[EventSpec | None]:
        """Store the passkey the browser just created."""
        user = await self._require()
        if user is None:
            yield self.login_redirect()
            return
        outcome = read_outcome(result)
        handle, self._handle = self._handle, ""
        try:
            if outcome.credential is None:
                self.error = outcome.message_for(CeremonyKind.CREATE)
            elif not handle:
                self.error = AuthError(AuthFailure.CHALLENGE_EXPIRED).user_message
            else:
                account = self._services().passkey_account
                added = await asyncio.to_thread(
                    account.finish_add,
                    user=user,
                    handle=handle,
                    response=outcome.credential,
                    client=self._client(),
                )
                self._close_reauth()
                yield rx.toast.success(f"Passkey added: {added.name}")
                yield AccountLifecycleState.refresh  # type: ignore[misc]
        except AuthError as error:
            self.error = error.user_message
            forget = outcome.credential and forget_call(
                self._services().settings.rp_id, outcome.credential
            )
            if forget:
                yield rx.call_script(forget)
        except Exception:
            log.exception("adding a passkey failed unexpectedly")
            self.error = AuthError(AuthFailure.UNEXPECTED).user_message
        self.busy = False
        await self._refresh(user)

    @rx.event
    async def snooze_offer(self) -> None:
        """ "Not now" on the offer: ask again in two weeks."""
        user = await self._require()
        if user is None:
            return
        await asyncio.to_thread(self._services().passkey_account.snooze_offer, user=user)
        self.offer = False

    @rx.event
    async def open_reauth(self) -> None:
        """Adding a passkey needs a fresh login: confirm with a passkey or the password."""
        user = await self._require()
        if user is None:
            return
        self._pending_kind = ""
        await self._ask_reauth(user, ADD_REASON)

    async def _fresh_or_confirm(self, kind: str, passkey_id: int, name: str) -> bool:
        """True when the login is fresh enough to change a passkey; otherwise the
        "Confirm it's you" dialog opens and the change resumes after it."""
        user = await self._require()
        if user is None:
            return False
        self._pending_kind, self._pending_id, self._pending_name = kind, passkey_id, name
        if await self._fresh_or_ask(user, CHANGE_REASON):
            self._pending_kind = ""
            return True
        self.rename_id, self.delete_id = 0, 0
        return False

    def _reauth_needed(self, user: SignedInUser) -> bool:
        return self._services().passkey_account.needs_reauthentication(user=user)

    async def _reauth_user(self) -> SignedInUser | None:
        return await self._require()

    async def _reauth_cancelled(self) -> None:
        self._pending_kind, self.busy = "", False

    async def _reauth_done(self, user: SignedInUser) -> Any:
        """Resume the rename or removal that asked; for an add, arm the dialog's
        "Create passkey" button (creating needs a click of its own)."""
        await self._prepare_registration(user)
        kind, self._pending_kind = self._pending_kind, ""
        if kind:
            self._close_reauth()
            self._open_change(kind, self._pending_id, self._pending_name)
        else:
            self.reauth_confirmed = True
        return None

    def _open_change(self, kind: str, passkey_id: int, name: str) -> None:
        if kind == "rename":
            self.rename_id, self.rename_name, self.rename_error = passkey_id, name, ""
        else:
            self.delete_id, self.delete_name, self.delete_error = passkey_id, name, ""
            self.delete_sessions = self._sessions_by_passkey.get(passkey_id, 0)
            self.delete_end_sessions = True

    @rx.event
    async def open_rename(self, passkey_id: int, name: str) -> None:
        """Show the rename dialog for one passkey (after "Confirm it's you" when the login
        is older than five minutes)."""
        if not _well_typed(passkey_id, name):
            return
        if await self._fresh_or_confirm("rename", passkey_id, name):
            self._open_change("rename", passkey_id, name)

    @rx.event
    def close_rename(self) -> None:
        """Dismiss the rename dialog."""
        self.rename_id, self.rename_error = 0, ""

    @rx.event
    def rename_open_changed(self, is_open: bool) -> None:
        """Escape or a click outside closes the rename dialog."""
        if not is_open:
            self.rename_id, self.rename_error = 0, ""

    @rx.event
    async def save_rename(self, form: dict[str, Any]) -> AsyncIterator[EventSpec | None]:
        """Rename one of the person's own passkeys."""
        user = await self._require()
        if user is None:
            yield self.login_redirect()
            return
        account = self._services().passkey_account
        try:
            await asyncio.to_thread(
                account.rename,
                user=user,
                passkey_id=self.rename_id,
                name=str(form.get("name", ""))[:200],
                client=self._client(),
            )
        except AuthError as error:
            if error.failure is AuthFailure.REAUTHENTICATION_REQUIRED:
                await self._fresh_or_confirm("rename", self.rename_id, self.rename_name)
                return
            self.rename_error = error.user_message
            return
        self.rename_id = 0
        await self._refresh(user)
        yield rx.toast.success("Passkey renamed")

    @rx.event
    async def open_delete(self, passkey_id: int, name: str) -> None:
        """Ask before removing a passkey (after "Confirm it's you" when the login is older
        than five minutes)."""
        if not _well_typed(passkey_id, name):
            return
        if await self._fresh_or_confirm("delete", passkey_id, name):
            self._open_change("delete", passkey_id, name)

    @rx.event
    def set_delete_end_sessions(self, value: bool) -> None:
        """The removal dialog's "Also sign out the sessions this passkey signed in"."""
        self.delete_end_sessions = value is True

    @rx.event
    def close_delete(self) -> None:
        """Keep the passkey."""
        self.delete_id, self.delete_error = 0, ""

    @rx.event
    async def confirm_delete(self) -> AsyncIterator[EventSpec | None]:
        """Remove one of the person's own passkeys (never the last way in)."""
        user = await self._require()
        if user is None:
            yield self.login_redirect()
            return
        account = self._services().passkey_account
        try:
            await asyncio.to_thread(
                account.delete,
                user=user,
                passkey_id=self.delete_id,
                client=self._client(),
                end_sessions=self.delete_end_sessions,
                session_id=self._session_id(),
            )
        except AuthError as error:
            if error.failure is AuthFailure.REAUTHENTICATION_REQUIRED:
                await self._fresh_or_confirm("delete", self.delete_id, self.delete_name)
                return
            self.delete_error = error.user_message
            return
        self.delete_id = 0
        await self._refresh(user)
        yield rx.toast.success("Passkey removed")
        yield SessionsState.on_load  # type: ignore[misc]
        yield AccountLifecycleState.refresh  # type: ignore[misc]
        accepted = await asyncio.to_thread(account.accepted_credentials, user=user)
        if accepted is not None:
            # The browser's passkey provider may now hide the passkey we no longer accept.
            rp_id = self._services().settings.rp_id
            ids = list(accepted.credential_ids)
            yield rx.call_script(signal_accepted_call(rp_id, accepted.user_handle, ids))
