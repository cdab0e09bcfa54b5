"""The local outbox page (embedded default only): mail the stand-in accepted."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

import reflex as rx

from passkey_app.auth import AuthState
from passkey_app.services.clock import system_clock
from passkey_app.services.mail.outbox import (
    LinkState,
    LinkStatus,
    OutboxMessage,
    OutboxUnavailableError,
    link_states,
    local_outbox,
)

# Links in a shown message open in the whole tab, as they would from a mail app.
_BASE = '<base target="_top">'


@dataclass
class OutboxItem:
    """One message as the page shows it."""

    id: str
    recipient: str
    sender: str
    subject: str
    html: str
    sent: str = ""
    """When it was sent, relative ("3 min ago"); empty when nobody knows."""
    sent_exact: str = ""
    """The same moment in full (UTC)."""
    state: str = LinkState.GONE.value
    badge: str = ""
    """"Used", "Replaced", "Expired", "Link gone"; empty for a link that still works."""
    note: str = ""
    """What happened to the link and when, for a link that no longer works."""


def ago(moment: datetime, now: datetime) -> str:
    """How long ago ``moment`` was, as people say it."""
    seconds = max(0, int((now - moment).total_seconds()))
    if seconds < 60:
        return "just now"
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit} ago" if count == 1 else f"{count} {unit}s ago"
    return "just now"


def exact(moment: datetime) -> str:
    """A moment in full, in UTC."""
    return moment.strftime("%d %b %Y, %H:%M:%S UTC")


_BADGES = {
    LinkState.USED: ("Used", "Used"),
    LinkState.REPLACED: ("Replaced", "Replaced by a newer link"),
    LinkState.EXPIRED: ("Expired", "Expired"),
}


def _describe(status: LinkStatus, now: datetime) -> tuple[str, str]:
    if status.state in (LinkState.LIVE, LinkState.NONE):
        return "", ""
    if status.state is LinkState.GONE:
        return "Link gone", "This link no longer works."
    badge, verb = _BADGES[status.state]
    moment = status.changed_at
    when = f" {ago(moment, now)} ({exact(moment)})" if moment else ""
    return badge, f"{verb}{when}. This link no longer works."


def to_item(message: OutboxMessage, status: LinkStatus, now: datetime) -> OutboxItem:
    """One message as the page shows it: when it was sent, and whether its link works."""
    badge, note = _describe(status, now)
    sent_at = message.sent_at or status.sent_at
    return OutboxItem(
        id=message.id,
        recipient=message.to,
        sender=message.sender,
        subject=message.subject,
        html=_with_base(message.html),
        sent=ago(sent_at, now) if sent_at else "",
        sent_exact=exact(sent_at) if sent_at else "",
        state=status.state.value,
        badge=badge,
        note=note,
    )


class OutboxState(AuthState):
    """Lists the newest messages; refuses outside the embedded default."""

    items: list[OutboxItem] = []
    available: bool = True
    loaded: bool = False

    @rx.event
    async def on_load(self) -> None:
        """Read the stand-in's outbox (nothing at all in production)."""
        services = self._services()
        outbox = local_outbox(services.settings, services.pool)
        self.loaded = False
        if outbox is None:
            self.items, self.available, self.loaded = [], False, True
            return
        try:
            messages = await asyncio.to_thread(outbox.messages)
        except OutboxUnavailableError:
            self.items, self.available, self.loaded = [], False, True
            return
        now = system_clock()
        states = await asyncio.to_thread(link_states, services.engine, messages, now=now)
        self.items = [to_item(m, states[m.id], now) for m in messages]
        self.available, self.loaded = True, True


def _with_base(html: str) -> str:
    if "<head>" in html:
        return html.replace("<head>", f"<head>{_BASE}", 1)
    return _BASE + html
