"""The account page's "Sessions and devices" card."""

from __future__ import annotations

import reflex as rx

from passkey_app.components.layout import list_row
from passkey_app.state.sessions import SessionItem, SessionsState


def _row(item: SessionItem) -> rx.Component:
    return list_row(
        "monitor-smartphone",
        rx.vstack(
            rx.hstack(
                rx.text(item.device, weight="medium", size="2"),
                rx.cond(
                    item.current,
                    rx.badge("This device", color_scheme="green", variant="soft", size="1"),
                ),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
            rx.text(
                item.ip_address,
                " · ",
                item.method,
                " · ",
                item.last_active,
                size="1",
                color=rx.color("gray", 11),
            ),
            rx.text(item.signed_in, size="1", color=rx.color("gray", 11)),
            spacing="1",
            flex="1",
            min_width="0",
        ),
        rx.cond(
            item.current,
            rx.fragment(),
            rx.button(
                "Sign out",
                type="button",
                variant="soft",
                color_scheme="gray",
                size="1",
                disabled=SessionsState.busy,
                aria_label="Sign out " + item.device + ", " + item.last_active,
                on_click=SessionsState.sign_out_session(item.id),  # type: ignore[operator]
            ),
        ),
        test_id="session-row",
    )


def sessions_card() -> rx.Component:
    """Where the person is signed in, with a way to sign the others out."""
    return rx.card(
        rx.vstack(
            rx.heading("Sessions and devices", size="4", as_="h2"),
            rx.text(
                "Where your account is signed in now. Sign out anything you don't recognise.",
                size="2",
                color=rx.color("gray", 11),
            ),
            rx.cond(
                SessionsState.loaded,
                rx.vstack(rx.foreach(SessionsState.items, _row), spacing="0", width="100%"),
                rx.skeleton(rx.box(height="3.5rem", width="100%")),
            ),
            rx.cond(
                SessionsState.has_others,
                rx.button(
                    rx.icon("log-out", size=16),
                    "Sign out all other sessions",
                    type="button",
                    variant="soft",
                    color_scheme="red",
                    loading=SessionsState.busy,
                    disabled=SessionsState.busy,
                    on_click=SessionsState.sign_out_others,
                ),
            ),
            spacing="2",
            width="100%",
        ),
        size="3",
        width="100%",
    )
