"""The Reflex app: the backend routes and guards, the browser module, and one table of
pages (route, page, title, on_load, who may see it)."""

from __future__ import annotations

import reflex as rx

from passkey_app import routes
from passkey_app.api.event_guard import cap_socket_buffer, event_guard
from passkey_app.api.log_redaction import redact_event_payloads
from passkey_app.api.session import build_session_routes, origin_guard
from passkey_app.api.worker_header import worker_header
from passkey_app.pages.account import account_page
from passkey_app.pages.account_deleted import account_deleted_page
from passkey_app.pages.admin import (
    admin_adoption_page,
    admin_audit_page,
    admin_user_page,
    admin_users_page,
)
from passkey_app.pages.examples.orders import orders_page
from passkey_app.pages.forbidden import forbidden_page
from passkey_app.pages.home import home_page
from passkey_app.pages.login import login_page
from passkey_app.pages.magic_link import link_landing_page, link_sent_page
from passkey_app.pages.outbox import outbox_page
from passkey_app.pages.registry import PUBLIC, SIGNED_IN, Page, group, register
from passkey_app.pages.signup import signup_page
from passkey_app.settings import get_settings
from passkey_app.state.account import AccountState
from passkey_app.state.account_lifecycle import AccountLifecycleState
from passkey_app.state.admin.adoption import AdminAdoptionState
from passkey_app.state.admin.audit import AdminAuditState
from passkey_app.state.admin.user import AdminUserState
from passkey_app.state.admin.users import AdminUsersState
from passkey_app.state.examples.orders import OrdersState
from passkey_app.state.home import HomeState
from passkey_app.state.login.card import LoginState
from passkey_app.state.login.email_link import MagicLinkLandingState, MagicLinkSentState
from passkey_app.state.login.passkey import PasskeyLoginState
from passkey_app.state.login.signup import SignupState
from passkey_app.state.outbox import OutboxState
from passkey_app.state.passkeys import PasskeysState
from passkey_app.state.sessions import SessionsState

settings = get_settings()
ADMIN = group("admin")

PAGES = [
    Page(routes.HOME, home_page, "Passkeys for Cognito", [HomeState.on_load]),
    Page(routes.LOGIN, login_page, "Sign in", [LoginState.on_load, PasskeyLoginState.prepare]),
    Page(routes.SIGNUP, signup_page, "Create your account", [SignupState.on_load]),
    Page(
        routes.ACCOUNT,
        lambda: account_page(settings.api_url),
        "Your account",
        [
            AccountState.on_load,
            PasskeysState.on_load,
            SessionsState.on_load,
            AccountLifecycleState.on_load,
        ],
        SIGNED_IN,
    ),
    Page(routes.ACCOUNT_DELETED, account_deleted_page, "Account deleted", [], PUBLIC),
    Page(routes.ADMIN, admin_users_page, "Admin: users", [AdminUsersState.on_load], ADMIN),
    Page(routes.ADMIN_USER, admin_user_page, "Admin: user", [AdminUserState.on_load], ADMIN),
    Page(
        routes.ADMIN_ADOPTION,
        admin_adoption_page,
        "Admin: adoption",
        [AdminAdoptionState.on_load],
        ADMIN,
    ),
    Page(
        routes.ADMIN_AUDIT, admin_audit_page, "Admin: audit log", [AdminAuditState.on_load], ADMIN
    ),
    Page(routes.FORBIDDEN, forbidden_page, "No access", [], PUBLIC),
    Page(
        routes.MAGIC_LINK_SENT,
        lambda: link_sent_page(settings.mode == "embedded"),
        "Check your email",
        [MagicLinkSentState.on_load],
    ),
    Page(routes.MAGIC_LINK_LANDING, link_landing_page, "Sign in", [MagicLinkLandingState.on_load]),
]
if settings.mode == "embedded":
    # The local outbox exists only in the embedded default; production has no such page.
    PAGES.append(Page(routes.OUTBOX, outbox_page, "Local outbox", [OutboxState.on_load]))
if settings.example_upstream:
    # The worked example of docs/building-on-it.md: a team's own protected page.
    PAGES.append(
        Page(routes.EXAMPLE_ORDERS, orders_page, "Your orders", [OrdersState.load], SIGNED_IN)
    )

# Before rx.App: Reflex reads engine.io's message cap when it builds its socket server.
cap_socket_buffer()
redact_event_payloads()
app = rx.App(
    head_components=[rx.el.script(src="/passkeys.js")],
    # Each wraps the one before: the origin check runs before the event frame cap.
    api_transformer=[build_session_routes(), event_guard, origin_guard, worker_header],
)
register(app, PAGES)
