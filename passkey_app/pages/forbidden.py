"""The 403 page that group-guarded pages send non-members to."""

from __future__ import annotations

import reflex as rx

from passkey_app import routes
from passkey_app.components.layout import page_shell


def forbidden_card() -> rx.Component:
    """Said plainly, with a way back."""
    return rx.center(
        rx.card(
            rx.vstack(
                rx.text("403", size="8", weight="bold", color=rx.color("gray", 9)),
                rx.heading("You don't have access to this page", size="5", as_="h1"),
                rx.text(
                    "This page is only for members of a group your account is not in.",
                    size="2",
                    color=rx.color("gray", 11),
                ),
                rx.link(rx.button("Back to your account", variant="soft"), href=routes.ACCOUNT),
                spacing="3",
                align="center",
            ),
            size="4",
        ),
        padding_y="4rem",
        width="100%",
    )


def forbidden_page() -> rx.Component:
    """The page itself."""
    return page_shell(forbidden_card())
