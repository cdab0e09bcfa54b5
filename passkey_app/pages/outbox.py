"""The local outbox (embedded default only): open the mail the app sent, as a phone would
show it. Production never registers this page."""

from __future__ import annotations

import reflex as rx

from passkey_app.components.layout import card, page_shell
from passkey_app.state.outbox import OutboxItem, OutboxState


def _message(item: OutboxItem) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(item.subject, weight="bold", size="3"),
            rx.text(f"To {item.recipient}", size="1", color=rx.color("gray", 11)),
            rx.text(f"From {item.sender}", size="1", color=rx.color("gray", 11)),
            rx.el.iframe(
                src_doc=item.html,
                title=item.subject,
                sandbox="allow-top-navigation-by-user-activation",
                referrer_policy="no-referrer",
                style={
                    "width": "100%",
                    "height": "34rem",
                    "border": "0",
                    "borderRadius": "8px",
                    "background": "#f4f4f7",
                },
            ),
            spacing="1",
            width="100%",
        ),
        width="100%",
        data_testid="outbox-message",
    )


def _empty() -> rx.Component:
    return rx.text(
        rx.cond(
            OutboxState.available,
            "No mail yet. Ask for a sign-in link and it appears here.",
            "The local outbox is not available.",
        ),
        size="2",
        color=rx.color("gray", 11),
    )


def outbox_page() -> rx.Component:
    """Newest first; a refresh button reads the stand-in again."""
    return page_shell(
        card(
            rx.hstack(
                rx.vstack(
                    rx.heading("Local outbox", size="6", as_="h1"),
                    rx.text(
                        "Mail the app sent while running locally. Nothing leaves this machine.",
                        size="2",
                        color=rx.color("gray", 11),
                    ),
                    spacing="1",
                ),
                rx.button(
                    rx.icon("refresh-cw", size=14),
                    "Refresh",
                    type="button",
                    variant="soft",
                    on_click=OutboxState.on_load,
                ),
                justify="between",
                align="start",
                width="100%",
            ),
        ),
        rx.cond(
            OutboxState.items.length() > 0,  # type: ignore[attr-defined]
            rx.foreach(OutboxState.items, _message),
            _empty(),
        ),
    )
