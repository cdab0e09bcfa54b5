"""The users table: one Cognito page at a time, email-prefix search, next/previous."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import reflex as rx
from reflex.event import EventSpec

from passkey_app.services.admin.service import UserRow
from passkey_app.services.errors import UserFacingError
from passkey_app.services.sessions.store import SignedInUser
from passkey_app.services.sign_in import METHOD_LABELS
from passkey_app.state.admin.base import AdminState, admin_message

PAGE_SIZE = 25


def when(moment: datetime | None) -> str:
    """A timestamp as the tables show it (UTC)."""
    return moment.strftime("%d %b %Y, %H:%M") if moment else "Never"


@dataclass
class UserItem:
    """One row of the users table, formatted for people."""

    sub: str
    email: str
    status: str
    enabled: bool
    created_by: str
    synced: int
    device_bound: int
    last_login: str
    last_method: str
    email_confirmed: bool = True


def to_item(row: UserRow) -> UserItem:
    """The table row for one user."""
    return UserItem(
        sub=row.sub,
        email=row.email,
        status=row.status.replace("_", " ").capitalize(),
        enabled=row.enabled,
        created_by="Passkey" if row.created_by == "passkey" else "Password",
        synced=row.synced_passkeys,
        device_bound=row.device_passkeys,
        last_login=when(row.last_login_at),
        last_method=METHOD_LABELS.get(row.last_login_method or "", "—"),
        email_confirmed=row.email_confirmed,
    )


class AdminUsersState(AdminState):
    """The table's rows and where it is in Cognito's pagination."""

    rows: list[UserItem] = []
    search: str = ""
    page_number: int = 1
    has_next: bool = False
    error: str = ""
    invite_error: str = ""
    invite_sent: str = ""
    invite_busy: bool = False
    invite_form_key: int = 0
    _tokens: list[str] = []  # token of each page after the first, as visited
    _next_token: str = ""

    @rx.event
    async def on_load(self) -> AsyncIterator[EventSpec | None]:
        """Guard the page, then show the first page."""
        admin, redirect = await self._enter()
        if redirect is not None:
            yield redirect
        if admin is not None:
            self.search, self._tokens = "", []
            await self._fetch("", admin)

    async def _fetch(self, token: str, admin: SignedInUser | None = None) -> None:
        user = admin or await self._admin()
        if user is None:
            self.rows = []
            return
        self.error = ""
        try:
            page = await asyncio.to_thread(
                self._admin_service().list_users,
                user,
                email_prefix=self.search,
                token=token or None,
                limit=PAGE_SIZE,
            )
        except Exception as error:
            self.error, self.rows = admin_message(error), []
            return
        self.rows = [to_item(row) for row in page.users]
        self._next_token = page.next_token or ""
        self.has_next = bool(page.next_token)
        self.page_number = len(self._tokens) + 1

    @rx.event
    async def run_search(self, form: dict[str, Any]) -> None:
        """Users whose email starts with what was typed (Cognito's ``^=`` filter)."""
        if await self._admin() is None:
            return
        self.search, self._tokens = str(form.get("search", "")).strip()[:128], []
        await self._fetch("")

    @rx.event
    async def next_page(self) -> None:
        """Follow Cognito's pagination token."""
        if await self._admin() is None or not self._next_token:
            return
        self._tokens = [*self._tokens, self._next_token]
        await self._fetch(self._next_token)

    @rx.event
    async def previous_page(self) -> None:
        """Back one page (tokens only go forward, so the visited ones are kept)."""
        if await self._admin() is None or not self._tokens:
            return
        self._tokens = self._tokens[:-1]
        await self._fetch(self._tokens[-1] if self._tokens else "")

    @rx.event
    async def invite(self, form: dict[str, Any]) -> AsyncIterator[EventSpec | None]:
        """Invite someone by email: their account, and a mail with a link that signs them
        in once and offers them a passkey (services/accounts/invitations.py)."""
        admin = await self._admin()
        if admin is None or self.invite_busy:
            return
        self.invite_busy, self.invite_error, self.invite_sent = True, "", ""
        yield None
        try:
            invited = await asyncio.to_thread(
                self._services().invitations.invite,
                admin,
                email=str(form.get("invite_email", ""))[:512],
                client=self._client(),
            )
        except UserFacingError as error:
            self.invite_busy, self.invite_error = False, error.user_message
            return
        except Exception as error:
            self.invite_busy, self.invite_error = False, admin_message(error)
            return
        self.invite_busy, self.invite_sent = False, f"Invitation sent to {invited.email}."
        self.invite_form_key += 1  # a fresh, empty form for the next one
        await self._fetch(self._tokens[-1] if self._tokens else "")
