"""The admin dashboard's pages: users, one user, adoption, audit log. One module each, so
that each page's compiled components (Reflex groups them by the page's module) load
only what that page uses: the recharts library only for the adoption charts."""

from passkey_app.pages.admin.adoption import admin_adoption_page
from passkey_app.pages.admin.audit import admin_audit_page
from passkey_app.pages.admin.user import admin_user_page
from passkey_app.pages.admin.users import admin_users_page

__all__ = ["admin_adoption_page", "admin_audit_page", "admin_user_page", "admin_users_page"]
