"""The root path: a spinner while the server decides where to go."""

from __future__ import annotations

import reflex as rx

from passkey_app.components.layout import page_shell


def home_page() -> rx.Component:
    """Shown for the instant before the redirect."""
    return page_shell(rx.center(rx.spinner(size="3"), padding_y="4rem"))
