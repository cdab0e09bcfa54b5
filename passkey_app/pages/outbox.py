"""The local outbox (embedded default only): open the mail the app sent, as a phone would
show it. Production never registers this page."""

from __future__ import annotations

import reflex as rx

from passkey_app.components.layout import card, page_shell
from passkey_app.state.outbox import OutboxItem, OutboxState


def _heading(item: OutboxItem) -> rx.Component:
    return rx.hstack(
        rx.text(item.subject, weight="bold", size="3"),
        rx.cond(
            item.badge != "",
            rx.badge(item.badge, color_scheme="gray", variant="solid", data_testid="link-badge"),
        ),
        rx.spacer(),
        rx.cond(
            item.sent != "",
            rx.el.time(
                rx.text(item.sent, size="1", color=rx.color("gray", 11)),
                title=item.sent_exact,
                date_time=item.sent_exact,
            ),
        ),
        align="center",
        spacing="2",
        width="100%",
        wrap="wrap",
    )


def _message(item: OutboxItem) -> rx.Component:
    used = item.badge != ""
    return rx.card(
        rx.vstack(
            _heading(item),
            rx.text(f"To {item.recipient}", size="1", color=rx.color("gray", 11)),
            rx.text(f"From {item.sender}", size="1", color=rx.color("gray", 11)),
            rx.cond(
                item.sent_exact != "",
                rx.text("Sent ", item.sent_exact, size="1", color=rx.color("gray", 11)),
            ),
            rx.cond(
                used,
                rx.callout(item.note, icon="ban", color_scheme="gray", size="1", width="100%"),
            ),
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
                # A link that no longer works is faded (still clickable: opening it
                # again shows what a person would see).
                opacity=rx.cond(used, "0.45", "1"),
                filter=rx.cond(used, "grayscale(1)", "none"),
            ),
            spacing="1",
            width="100%",
        ),
        width="100%",
        data_testid="outbox-message",
        data_link_state=item.state,
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
