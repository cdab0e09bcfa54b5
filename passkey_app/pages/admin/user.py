"""The admin dashboard's page of one user."""

from __future__ import annotations

import reflex as rx

from passkey_app import routes
from passkey_app.components.admin.layout import admin_shell
from passkey_app.components.admin.user import user_page_body
from passkey_app.components.reauth import reauth_dialog
from passkey_app.state.admin.user import AdminUserState


def admin_user_page() -> rx.Component:
    """One user: passkeys, recent events, account actions."""
    return admin_shell(
        routes.ADMIN,
        "User",
        rx.link("← All users", href=routes.ADMIN, size="2"),
        user_page_body(),
        reauth_dialog(AdminUserState),
    )
