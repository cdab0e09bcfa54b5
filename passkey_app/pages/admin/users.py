"""The admin dashboard's users page."""

from __future__ import annotations

import reflex as rx

from passkey_app import routes
from passkey_app.components.admin.layout import admin_shell
from passkey_app.components.admin.tables import users_table


def admin_users_page() -> rx.Component:
    """Every user of the pool, a page at a time."""
    return admin_shell(routes.ADMIN, "Users", users_table())
