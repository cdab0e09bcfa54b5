"""The Reflex app: pages, theme, the browser module and the backend routes."""

from __future__ import annotations

import reflex as rx

from passkey_app import routes
from passkey_app.api import build_session_routes, origin_guard
from passkey_app.pages.account import account_page
from passkey_app.pages.home import home_page
from passkey_app.pages.login import login_page
from passkey_app.pages.signup import signup_page
from passkey_app.settings import get_settings
from passkey_app.state.account import AccountState
from passkey_app.state.home import HomeState
from passkey_app.state.passkey_login import PasskeyLoginState
from passkey_app.state.passkeys import PasskeysState
from passkey_app.state.signup import SignupState

app = rx.App(
    head_components=[rx.el.script(src="/passkeys.js")],
    api_transformer=[build_session_routes(), origin_guard],
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
