"""The 403 page that group-guarded pages send non-members to."""

from __future__ import annotations

import reflex as rx

from passkey_app.components.layout import forbidden_card, page_shell


def forbidden_page() -> rx.Component:
    """Said plainly, with a way back."""
    return page_shell(
        forbidden_card("This page is only for members of a group your account is not in.")
    )
