"""The Reflex app: pages, theme, the browser module and the backend routes."""

from __future__ import annotations

import reflex as rx

from passkey_app import routes
from passkey_app.api.event_guard import cap_socket_buffer, event_guard
from passkey_app.api.log_redaction import redact_event_payloads
from passkey_app.api.session import build_session_routes, origin_guard
from passkey_app.api.worker_header import worker_header
from passkey_app.pages.account import account_page
from passkey_app.pages.admin import (
    admin_adoption_page,
    admin_audit_page,
    admin_user_page,
    admin_users_page,
)
from passkey_app.pages.home import home_page
from passkey_app.pages.login import login_page
from passkey_app.pages.magic_link import link_landing_page, link_sent_page
from passkey_app.pages.outbox import outbox_page
from passkey_app.pages.signup import signup_page
from passkey_app.settings import get_settings
from passkey_app.state.account import AccountState
from passkey_app.state.admin.adoption import AdminAdoptionState
from passkey_app.state.admin.audit import AdminAuditState
from passkey_app.state.admin.user import AdminUserState
from passkey_app.state.admin.users import AdminUsersState
from passkey_app.state.home import HomeState
from passkey_app.state.login.email_link import MagicLinkLandingState, MagicLinkSentState
from passkey_app.state.login.passkey import PasskeyLoginState
from passkey_app.state.login.signup import SignupState
from passkey_app.state.outbox import OutboxState
from passkey_app.state.passkeys import PasskeysState

# Before rx.App: Reflex reads engine.io's message cap when it builds its socket server.
cap_socket_buffer()
redact_event_payloads()
app = rx.App(
    head_components=[rx.el.script(src="/passkeys.js")],
    # Each wraps the one before: the origin check runs before the event frame cap.
    api_transformer=[build_session_routes(), event_guard, origin_guard, worker_header],
)
app.add_page(home_page, route=routes.HOME, title="Passkeys for Cognito", on_load=HomeState.on_load)
app.add_page(login_page, route=routes.LOGIN, title="Sign in", on_load=PasskeyLoginState.on_load)
app.add_page(
    signup_page, route=routes.SIGNUP, title="Create your account", on_load=SignupState.on_load
)
app.add_page(
    lambda: account_page(get_settings().api_url),
    route=routes.ACCOUNT,
    title="Your account",
    on_load=[AccountState.on_load, PasskeysState.on_load],
)
app.add_page(
    admin_users_page, route=routes.ADMIN, title="Admin: users", on_load=AdminUsersState.on_load
)
app.add_page(
    admin_user_page, route=routes.ADMIN_USER, title="Admin: user", on_load=AdminUserState.on_load
)
app.add_page(
    admin_adoption_page,
    route=routes.ADMIN_ADOPTION,
    title="Admin: adoption",
    on_load=AdminAdoptionState.on_load,
)
app.add_page(
    admin_audit_page,
    route=routes.ADMIN_AUDIT,
    title="Admin: audit log",
    on_load=AdminAuditState.on_load,
)
app.add_page(
    lambda: link_sent_page(get_settings().mode == "embedded"),
    route=routes.MAGIC_LINK_SENT,
    title="Check your email",
    on_load=MagicLinkSentState.on_load,
)
app.add_page(
    link_landing_page,
    route=routes.MAGIC_LINK_LANDING,
    title="Sign in",
    on_load=MagicLinkLandingState.on_load,
)
if get_settings().mode == "embedded":
    # The local outbox exists only in the embedded default; production has no such page.
    app.add_page(
        outbox_page, route=routes.OUTBOX, title="Local outbox", on_load=OutboxState.on_load
    )
