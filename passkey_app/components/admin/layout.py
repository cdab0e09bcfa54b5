"""The admin dashboard's frame: navigation, the 403 page, and the two dialogs that guard
destructive actions ("Confirm it's you" and "Are you sure?")."""

from __future__ import annotations

import reflex as rx

from passkey_app import routes
from passkey_app.components.layout import forbidden_card, header
from passkey_app.state.admin.base import ALLOWED, FORBIDDEN, AdminState

NAV = (
    ("Users", routes.ADMIN),
    ("Adoption", routes.ADMIN_ADOPTION),
    ("Audit log", routes.ADMIN_AUDIT),
)


def _nav(current: str) -> rx.Component:
    return rx.hstack(
        *[
            rx.link(
                rx.button(
                    label,
                    variant="solid" if href == current else "ghost",
                    size="2",
                    color_scheme="indigo" if href == current else "gray",
                ),
                href=href,
                underline="none",
            )
            for label, href in NAV
        ],
        spacing="3",
        wrap="wrap",
        aria_label="Admin sections",
    )


def forbidden() -> rx.Component:
    """The 403 page: said plainly, with a way back."""
    return forbidden_card("The admin dashboard is only for members of the admin group.")


def _checking() -> rx.Component:
    return rx.vstack(
        rx.skeleton(rx.box(height="2rem", width="40%")),
        rx.skeleton(rx.box(height="16rem", width="100%")),
        spacing="3",
        width="100%",
    )


def admin_shell(current: str, title: str, *children: rx.Component) -> rx.Component:
    """Header, section tabs, then the page; 403 for non-admins, skeleton while checking."""
    return rx.box(
        header(rx.link("Account", href=routes.ACCOUNT, size="2")),
        rx.el.main(
            rx.match(
                AdminState.access,
                (FORBIDDEN, forbidden()),
                (
                    ALLOWED,
                    rx.vstack(
                        rx.hstack(
                            rx.heading(title, size="6", as_="h1"),
                            _nav(current),
                            justify="between",
                            align="center",
                            wrap="wrap",
                            spacing="3",
                            width="100%",
                        ),
                        *children,
                        spacing="4",
                        width="100%",
                    ),
                ),
                _checking(),
            ),
            id="main",
            tab_index=-1,
            outline="none",
            width="100%",
            max_width="72rem",
            margin_x="auto",
            padding_x="1rem",
            padding_y=["1rem", "2rem"],
            box_sizing="border-box",
        ),
        min_height="100vh",
        background=rx.color("gray", 2),
    )
