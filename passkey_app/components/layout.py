"""The page frame: a header with the product name and the theme switch, then content."""

from __future__ import annotations

import reflex as rx

from passkey_app import routes

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


def header(*actions: rx.Component) -> rx.Component:
    """Top bar: brand left, page actions and the light/dark switch right."""
    return rx.hstack(
        brand(),
        rx.hstack(
            *actions, rx.color_mode.button(size="2", variant="ghost"), align="center", spacing="3"
        ),
        justify="between",
        align="center",
        width="100%",
        padding_x=["1rem", "1.5rem"],
        padding_y="0.875rem",
        border_bottom=f"1px solid {rx.color('gray', 5)}",
        background=rx.color("gray", 1),
    )


def page_shell(*children: rx.Component, actions: list[rx.Component] | None = None) -> rx.Component:
    """Header plus a centred column that reads well from a phone to a desktop."""
    return rx.box(
        header(*(actions or [])),
        rx.vstack(
            *children,
            spacing="4",
            width="100%",
            max_width="34rem",
            margin_x="auto",
            padding_x="1rem",
            padding_y=["1.5rem", "3rem"],
        ),
        min_height="100vh",
        background=rx.color("gray", 2),
    )


def card(*children: rx.Component, **props: object) -> rx.Component:
    """A surface for one task."""
    return rx.card(
        rx.vstack(*children, spacing="4", width="100%"),
        size="3",
        width="100%",
        **props,
    )
