"""The page frame: a header with the product name and the theme switch, then content."""

from __future__ import annotations

from typing import Any

import reflex as rx

from passkey_app import routes
from passkey_app.state.ceremony import restore_focus_call

PRODUCT_NAME = "Passkeys for Cognito"


def brand() -> rx.Component:
    """The product mark and name, linking home."""
    return rx.link(
        rx.hstack(
            rx.center(
                rx.icon("key-round", size=18, color="white"),
                width="30px",
                height="30px",
                border_radius="8px",
                background=rx.color("accent", 9),
            ),
            rx.text(PRODUCT_NAME, weight="bold", size="3", color=rx.color("gray", 12)),
            align="center",
            spacing="2",
        ),
        href=routes.HOME,
        underline="none",
        aria_label=f"{PRODUCT_NAME} home",
    )


def theme_switch() -> rx.Component:
    """The light/dark toggle, named for what a press does."""
    return rx.color_mode.button(
        size="2",
        variant="ghost",
        aria_label=rx.color_mode_cond("Switch to dark theme", "Switch to light theme"),
    )


def header(*actions: rx.Component) -> rx.Component:
    """Top bar (the page's banner landmark): brand left, page actions and the light/dark
    switch right."""
    return rx.el.header(
        rx.hstack(
            brand(),
            rx.hstack(*actions, theme_switch(), align="center", spacing="3"),
            justify="between",
            align="center",
            width="100%",
            padding_x=["1rem", "1.5rem"],
            padding_y="0.875rem",
        ),
        border_bottom=f"1px solid {rx.color('gray', 5)}",
        background=rx.color("gray", 1),
    )


def page_shell(*children: rx.Component, actions: list[rx.Component] | None = None) -> rx.Component:
    """Header plus a centred column (the main landmark) that reads well from a phone to a
    desktop."""
    return rx.box(
        header(*(actions or [])),
        rx.el.main(
            rx.vstack(*children, spacing="4", width="100%"),
            id="main",
            tab_index=-1,
            outline="none",
            width="100%",
            max_width="34rem",
            margin_x="auto",
            padding_x="1rem",
            padding_y=["1.5rem", "3rem"],
            box_sizing="border-box",
        ),
        min_height="100vh",
        background=rx.color("gray", 2),
    )


SCREEN_READER_ONLY = {
    "position": "absolute",
    "width": "1px",
    "height": "1px",
    "padding": "0",
    "margin": "-1px",
    "overflow": "hidden",
    "clip": "rect(0, 0, 0, 0)",
    "white_space": "nowrap",
    "border": "0",
}


def screen_reader_only(text: str) -> rx.Component:
    """Text read aloud but not drawn, for a name the layout already shows by position."""
    return rx.el.span(text, style=SCREEN_READER_ONLY)


def card(*children: rx.Component, **props: object) -> rx.Component:
    """A surface for one task."""
    return rx.card(
        rx.vstack(*children, spacing="4", width="100%"),
        size="3",
        width="100%",
        **props,
    )


def forbidden_card(reason: str) -> rx.Component:
    """The 403 content: said plainly, with the reason and a way back."""
    return rx.center(
        rx.card(
            rx.vstack(
                rx.text("403", size="8", weight="bold", color=rx.color("gray", 9)),
                rx.heading("You don't have access to this page", size="5", as_="h1"),
                rx.text(reason, size="2", color=rx.color("gray", 11)),
                rx.link(rx.button("Back to your account", variant="soft"), href=routes.ACCOUNT),
                spacing="3",
                align="center",
            ),
            size="4",
        ),
        padding_y="4rem",
        width="100%",
    )


def returns_focus() -> dict[str, Any]:
    """Props for the content of a dialog that state opens (no trigger element): when it
    closes, the focus goes back to the control that had it, not to the page body."""
    return {"on_close_auto_focus": [rx.prevent_default, rx.call_script(restore_focus_call())]}


def list_row(icon: str, *children: rx.Component, test_id: str = "") -> rx.Component:
    """One row of a card's list (a passkey, a session, a sign-in method): an icon tile,
    then ``children`` (the row's text, then its actions), a line above it."""
    extra = {"data_testid": test_id} if test_id else {}
    return rx.hstack(
        rx.center(
            rx.icon(icon, size=18, color=rx.color("accent", 11)),
            width="36px",
            height="36px",
            border_radius="var(--radius-3)",
            background=rx.color("accent", 3),
            flex_shrink="0",
            aria_hidden="true",
        ),
        *children,
        align="center",
        spacing="3",
        width="100%",
        padding_y="0.75rem",
        border_top=f"1px solid {rx.color('gray', 4)}",
        **extra,
    )
