"""The example page's state: the signed-in person's orders, read from the team's own API
with their Cognito access token, on the server (see docs/building-on-it.md)."""

from __future__ import annotations

import reflex as rx

from passkey_app.auth import AuthState, login_required
from passkey_app.services.upstream import UpstreamError

ORDERS_UNAVAILABLE = "Your orders couldn't be loaded. Try again in a moment."


class OrdersState(AuthState):
    """What the page shows: rows, or one short sentence about why not."""

    orders: list[dict[str, str]] = []
    loaded: bool = False
    error: str = ""

    @rx.event
    @login_required
    async def load(self) -> None:
        """Fetch the orders through the upstream named in PASSKEY_EXAMPLE_UPSTREAM."""
        self.loaded, self.error = False, ""
        upstream = self._services().settings.example_upstream or ""
        try:
            answer = await self.call_api(upstream, "orders")
        except UpstreamError:
            self.error = ORDERS_UNAVAILABLE
            return
        data = answer.json() if answer.status == 200 else None
        if not isinstance(data, dict) or not isinstance(data.get("orders"), list):
            self.error = ORDERS_UNAVAILABLE
            return
        self.orders = [
            {key: str(value) for key, value in row.items()}
            for row in data["orders"]
            if isinstance(row, dict)
        ]
        self.loaded = True
