"""The local outbox page (embedded default only): mail the stand-in accepted."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import reflex as rx

from passkey_app.auth import AuthState
from passkey_app.services.mail.outbox import OutboxUnavailableError, local_outbox

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
        self.items = [
            OutboxItem(
                id=m.id, recipient=m.to, sender=m.sender, subject=m.subject, html=_with_base(m.html)
            )
            for m in messages
        ]
        self.available, self.loaded = True, True


def _with_base(html: str) -> str:
    if "<head>" in html:
        return html.replace("<head>", f"<head>{_BASE}", 1)
    return _BASE + html
