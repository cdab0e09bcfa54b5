"""The admin dashboard's pages: users, one user, adoption, audit log."""

from __future__ import annotations

import reflex as rx

from passkey_app import routes
from passkey_app.components.admin.charts import adoption_body
from passkey_app.components.admin.layout import admin_shell
from passkey_app.components.admin.tables import audit_log, users_table
from passkey_app.components.admin.user import user_page_body
from passkey_app.components.reauth import reauth_dialog
from passkey_app.state.admin.user import AdminUserState


def admin_users_page() -> rx.Component:
    """Every user of the pool, a page at a time."""
    return admin_shell(routes.ADMIN, "Users", users_table())


def admin_user_page() -> rx.Component:
    """One user: passkeys, recent events, account actions."""
    return admin_shell(
        routes.ADMIN,
        "User",
        rx.link("← All users", href=routes.ADMIN, size="2"),
        user_page_body(),
        reauth_dialog(AdminUserState),
    )


def admin_adoption_page() -> rx.Component:
    """How passkeys are catching on."""
    return admin_shell(routes.ADMIN_ADOPTION, "Adoption", adoption_body())


def admin_audit_page() -> rx.Component:
    """Who did what, when."""
    return admin_shell(routes.ADMIN_AUDIT, "Audit log", audit_log())
