"""One user's admin page: passkeys, recent events, and the actions on the account.
Destructive actions ask for confirmation, and for a fresh login (15 min) first."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import reflex as rx
from reflex.event import EventSpec

from passkey_app.services.admin.queries import AuditRow
from passkey_app.services.sessions.store import SignedInUser
from passkey_app.services.webauthn.credential_store import PasskeySummary
from passkey_app.state.admin.base import AdminState, admin_message
from passkey_app.state.admin.users import UserItem, to_item, when
from passkey_app.state.reauth import ReauthMixin

ACTIONS = {
    "disable": ("Disable this account?", "They can't sign in until it is enabled again."),
    "enable": ("Enable this account?", "They can sign in again."),
    "sign_out": (
        "Sign out everywhere?",
        "Every browser session ends and their refresh tokens stop working.",
    ),
    "delete_passkey": (
        "Remove this passkey?",
        "They won't be able to sign in with it any more.",
    ),
}
REAUTH_REASON = (
    "You signed in more than 15 minutes ago. Confirm it's you before changing someone's account."
)


@dataclass
class AdminPasskeyItem:
    """One of the user's passkeys."""

    id: int
    name: str
    model: str
    synced: bool
    created: str
    last_used: str
    sign_count: int


@dataclass
class EventItem:
    """One audit event, formatted."""

    id: int
    at: str
    event_type: str
    outcome: str
    email: str
    detail: str
    by_admin: bool


def passkey_item(summary: PasskeySummary) -> AdminPasskeyItem:
    """A passkey as the admin's table shows it."""
    return AdminPasskeyItem(
        id=summary.id,
        name=summary.name,
        model=summary.model,
        synced=summary.synced,
        created=when(summary.created_at),
        last_used=when(summary.last_used_at),
        sign_count=summary.sign_count,
    )


def event_item(row: AuditRow) -> EventItem:
    """An audit row as the tables show it."""
    return EventItem(
        id=row.id,
        at=row.occurred_at.strftime("%d %b %Y, %H:%M:%S"),
        event_type=row.event_type,
        outcome=row.outcome,
        email=row.email or "—",
        detail=row.detail,
        by_admin=row.actor_sub is not None,
    )


class AdminUserState(ReauthMixin, AdminState):
    """The user on screen and the action waiting for confirmation (after "Confirm it's
    you" when the admin's sign-in is older than 15 minutes)."""

    sub: str = ""
    found: bool = False
    user: UserItem | None = None
    passkeys: list[AdminPasskeyItem] = []
    events: list[EventItem] = []
    error: str = ""
    pending: str = ""
    pending_passkey_id: int = 0
    action_busy: bool = False

    @rx.var
    def pending_title(self) -> str:
        """The confirmation dialog's question."""
        return ACTIONS.get(self.pending, ("", ""))[0]

    @rx.var
    def pending_text(self) -> str:
        """What the action will do."""
        return ACTIONS.get(self.pending, ("", ""))[1]

    def _reauth_needed(self, user: SignedInUser) -> bool:
        return self._admin_service().needs_reauthentication(user)

    async def _reauth_user(self) -> SignedInUser | None:
        return await self._admin()

    async def _reauth_done(self, user: SignedInUser) -> Any:
        """Confirmed: the action that asked runs now."""
        self._close_reauth()
        return AdminUserState.run_pending

    async def _reauth_cancelled(self) -> None:
        self.pending, self.pending_passkey_id = "", 0

    @rx.event
    async def on_load(self) -> AsyncIterator[EventSpec | None]:
        """Guard the page, then load the user named in ``?sub=``."""
        admin, redirect = await self._enter()
        if redirect is not None:
            yield redirect
        if admin is None:
            return
        self.sub = str(self.router.url.query_parameters.get("sub", ""))[:64]
        self.pending, self.error = "", ""
        await self._load(admin)

    async def _load(self, admin: SignedInUser | None = None) -> None:
        admin = admin or await self._admin()
        if admin is None:
            return
        try:
            detail = await asyncio.to_thread(self._admin_service().user_detail, admin, sub=self.sub)
        except Exception as error:
            self.found, self.user, self.error = False, None, admin_message(error)
            return
        self.user = to_item(detail.user)
        self.passkeys = [passkey_item(p) for p in detail.passkeys]
        self.events = [event_item(e) for e in detail.recent_events]
        self.found = True

    @rx.event
    async def ask(self, action: str) -> None:
        """Open the confirmation for an action on the account."""
        if await self._admin() is None or action not in ACTIONS:
            return
        self.pending, self.pending_passkey_id, self.error = action, 0, ""

    @rx.event
    async def ask_delete(self, passkey_id: int) -> None:
        """Open the confirmation for removing one passkey."""
        if await self._admin() is None:
            return
        self.pending, self.pending_passkey_id, self.error = "delete_passkey", int(passkey_id), ""

    @rx.event
    async def cancel(self) -> None:
        """Do nothing after all."""
        if await self._admin() is None:
            return
        self.pending, self.pending_passkey_id = "", 0

    @rx.event
    async def run_pending(self) -> AsyncIterator[EventSpec | None]:
        """Run the confirmed action (after "Confirm it's you" when the login is old)."""
        admin = await self._admin()
        if admin is None or not self.pending or self.action_busy:
            return
        if not await self._fresh_or_ask(admin, REAUTH_REASON):
            return
        service, client, action = self._admin_service(), self._client(), self.pending
        self.action_busy = True
        yield None
        try:
            if action in ("disable", "enable"):
                await asyncio.to_thread(
                    service.set_enabled,
                    admin,
                    sub=self.sub,
                    enabled=action == "enable",
                    client=client,
                )
                message = "Account enabled" if action == "enable" else "Account disabled"
            elif action == "sign_out":
                ended = await asyncio.to_thread(
                    service.sign_out_everywhere, admin, sub=self.sub, client=client
                )
                sessions = "1 browser session" if ended == 1 else f"{ended} browser sessions"
                message = f"Signed out everywhere ({sessions} ended)"
            else:
                await asyncio.to_thread(
                    service.delete_passkey,
                    admin,
                    sub=self.sub,
                    passkey_id=self.pending_passkey_id,
                    client=client,
                )
                message = "Passkey removed"
        except Exception as error:
            self.error, self.action_busy, self.pending = admin_message(error), False, ""
            return
        self.action_busy, self.pending, self.pending_passkey_id = False, "", 0
        await self._load()
        yield rx.toast.success(message)
