"""The admin dashboard's audit log."""

from __future__ import annotations

import reflex as rx

from passkey_app import routes
from passkey_app.components.admin.layout import admin_shell
from passkey_app.components.admin.tables import audit_log


def admin_audit_page() -> rx.Component:
    """Who did what, when."""
    return admin_shell(routes.ADMIN_AUDIT, "Audit log", audit_log())
