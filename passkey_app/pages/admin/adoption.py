"""The admin dashboard's adoption charts."""

from __future__ import annotations

import reflex as rx

from passkey_app import routes
from passkey_app.components.admin.charts import adoption_body
from passkey_app.components.admin.layout import admin_shell


def admin_adoption_page() -> rx.Component:
    """How passkeys are catching on."""
    return admin_shell(routes.ADMIN_ADOPTION, "Adoption", adoption_body())
