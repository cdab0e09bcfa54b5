"""Where a deleted account's browser lands, signed out, with its cookie cleared."""

from __future__ import annotations

import reflex as rx

from passkey_app import routes
from passkey_app.components.layout import card, page_shell


def account_deleted_page() -> rx.Component:
    """Said plainly: what is gone, and what the browser may still show."""
    return page_shell(
        card(
            rx.hstack(
                rx.icon("circle-check", size=28, color=rx.color("green", 10), flex_shrink="0"),
                rx.heading("Your account is deleted", size="6", as_="h1"),
                spacing="3",
                align="center",
            ),
            rx.text(
                "Your account, passkeys, sessions and sign-in links are gone, and this "
                "browser is signed out.",
                size="2",
            ),
            rx.text(
                "We asked this browser to forget your passkeys for this site. If your "
                "passkey manager still lists one, you can delete it there.",
                size="2",
                color=rx.color("gray", 11),
            ),
            rx.hstack(
                rx.link(rx.button("Create a new account", variant="soft"), href=routes.SIGNUP),
                rx.link("Sign in", href=routes.LOGIN, size="2", weight="medium"),
                spacing="4",
                align="center",
            ),
        )
    )
