"""Sign in: email first, then the method the account has (a passkey, the password, a
new password when Cognito asks, a code by email and a new password when it is
forgotten or was reset). Each step is bound to its method's state; the card's
status line says what is happening, and an error shows next to what caused it."""

from __future__ import annotations

import reflex as rx
from reflex.event import EventType

from passkey_app import routes
from passkey_app.components.forms import (
    email_chip,
    email_form,
    error_slot,
    field,
    notice_slot,
    status_line,
    submit_button,
)
from passkey_app.components.layout import card, page_shell
from passkey_app.components.magic_link import login_email_link_offer
from passkey_app.components.password import password_rules
from passkey_app.components.prefetch import prefetch_page
from passkey_app.state.ceremony import AUTOFILL_DONE_ID, take_autofill_call
from passkey_app.state.login.card import (
    AT_FORM,
    AT_PASSKEY_BUTTON,
    STEP_EMAIL,
    STEP_NEW_PASSWORD,
    STEP_PASSKEY,
    STEP_PASSWORD,
    STEP_RESET,
    LoginState,
)
from passkey_app.state.login.passkey import PasskeyLoginState
from passkey_app.state.login.password import (
    AT_CODE,
    AT_NEW_PASSWORD,
    AT_REPEAT,
    RESET_REQUIRED,
    PasswordLoginState,
)


def _error_at(place: str, id_: str = "form-error") -> rx.Component:
    """The card's error, when it belongs to the control at ``place``."""
    return error_slot(rx.cond(LoginState.error_at == place, LoginState.error, ""), id_=id_)


def _or_divider() -> rx.Component:
    line = rx.box(height="1px", flex="1", background=rx.color("gray", 5))
    return rx.hstack(
        line,
        rx.text("or", size="1", color=rx.color("gray", 10)),
        line,
        align="center",
        width="100%",
    )


def _passkey_button() -> rx.Component:
    """Usernameless sign-in: the click itself runs the prepared ceremony; its errors show
    right under it."""
    return rx.vstack(
        rx.button(
            rx.icon("key-round", size=16),
            "Sign in with a passkey",
            type="button",
            variant="outline",
            size="3",
            width="100%",
            loading=LoginState.busy,
            disabled=LoginState.busy | (PasskeyLoginState.discoverable_js == ""),
            aria_describedby="passkey-button-error",
            on_click=[
                PasskeyLoginState.start_ceremony,
                rx.call_script(
                    PasskeyLoginState.discoverable_js,
                    callback=PasskeyLoginState.finish_discoverable,
                ),
            ],
        ),
        _error_at(AT_PASSKEY_BUTTON, "passkey-button-error"),
        spacing="1",
        width="100%",
    )


def _email_step() -> rx.Component:
    return rx.vstack(
        email_form(
            email=LoginState.email,
            error=rx.cond(LoginState.error_at == AT_FORM, LoginState.error, ""),
            busy=LoginState.busy,
            on_submit=PasskeyLoginState.submit_email,
            autocomplete="username webauthn",
            # After "Sign out" nothing starts by itself: autofill waits until the person
            # uses the field (a click or a key; the field's own autofocus is not them).
            on_click=PasskeyLoginState.autofill_on_use,
            on_key_down=PasskeyLoginState.autofill_on_key,
        ),
        rx.cond(
            PasskeyLoginState.passkeys_supported,
            rx.vstack(_or_divider(), _passkey_button(), spacing="3", width="100%"),
        ),
        rx.text(
            "New here? ",
            rx.link("Create an account", href=routes.SIGNUP, weight="medium"),
            size="2",
            color=rx.color("gray", 11),
            align="center",
            width="100%",
        ),
        spacing="4",
        width="100%",
    )


def _passkey_step() -> rx.Component:
    return rx.vstack(
        _who(),
        rx.hstack(
            rx.icon("fingerprint", size=28, color=rx.color("accent", 10), aria_hidden="true"),
            rx.text(
                "Your device will ask you to confirm it's you with your fingerprint, face "
                "or screen lock.",
                size="2",
                color=rx.color("gray", 11),
            ),
            spacing="3",
            align="center",
        ),
        rx.button(
            rx.icon("key-round", size=16),
            "Use passkey",
            type="button",
            size="3",
            width="100%",
            loading=LoginState.busy,
            disabled=LoginState.busy | (PasskeyLoginState.passkey_js == ""),
            on_click=[
                PasskeyLoginState.start_ceremony,
                rx.call_script(
                    PasskeyLoginState.passkey_js,
                    callback=PasskeyLoginState.finish_email_passkey,
                ),
            ],
        ),
        error_slot(LoginState.error),
        rx.cond(
            PasskeyLoginState.password_fallback,
            rx.button(
                "Use my password instead",
                type="button",
                variant="ghost",
                size="2",
                on_click=LoginState.use_password,
                disabled=LoginState.busy,
            ),
        ),
        spacing="3",
        width="100%",
    )


def _who() -> rx.Component:
    return email_chip(LoginState.email, on_change=LoginState.change_email, busy=LoginState.busy)


def _password_step() -> rx.Component:
    return rx.form(
        rx.vstack(
            _who(),
            rx.el.input(
                type="hidden", name="username", value=LoginState.email, auto_complete="username"
            ),
            field(
                "Password",
                name="password",
                type_="password",
                autocomplete="current-password",
                auto_focus=True,
            ),
            error_slot(LoginState.error),
            submit_button("Sign in", busy=LoginState.busy),
            _link_button(
                "Forgot your password?", PasswordLoginState.forgot_password, align="center"
            ),
            spacing="3",
            width="100%",
        ),
        on_submit=PasswordLoginState.submit_password,
        width="100%",
    )


def _link_button(label: str, on_click: EventType[()], *, align: str = "start") -> rx.Component:
    """An action that reads as a link: a button, so it never leaves the page."""
    return rx.box(
        rx.button(
            label,
            type="button",
            variant="ghost",
            size="2",
            on_click=on_click,
            disabled=LoginState.busy,
            style={"textDecoration": "underline", "textUnderlineOffset": "3px"},
        ),
        text_align=align,
        width="100%",
    )


def _reset_step() -> rx.Component:
    """A code from the email and a new password (twice), the pool's rules beside it; each
    error next to its field."""
    return rx.form(
        rx.vstack(
            _who(),
            rx.cond(
                PasswordLoginState.reset_required,
                rx.text(RESET_REQUIRED, size="2", weight="medium"),
            ),
            rx.el.input(
                type="hidden", name="username", value=LoginState.email, auto_complete="username"
            ),
            field(
                "Code from the email",
                name="reset_code",
                autocomplete="one-time-code",
                input_mode="numeric",
                auto_focus=True,
                error_id="reset-code-error",
            ),
            _error_at(AT_CODE, "reset-code-error"),
            field(
                "New password",
                name="reset_password",
                type_="password",
                autocomplete="new-password",
                error_id="reset-rules reset-password-error",
            ),
            password_rules(PasswordLoginState.rules, id_="reset-rules"),
            _error_at(AT_NEW_PASSWORD, "reset-password-error"),
            field(
                "Repeat new password",
                name="reset_repeat",
                type_="password",
                autocomplete="new-password",
                error_id="reset-repeat-error",
            ),
            _error_at(AT_REPEAT, "reset-repeat-error"),
            _error_at(AT_FORM),
            submit_button("Set password and sign in", busy=LoginState.busy),
            rx.hstack(
                _link_button("Send a new code", PasswordLoginState.send_new_code),
                _link_button("Back to sign in", PasswordLoginState.back_to_password, align="end"),
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
        on_submit=PasswordLoginState.submit_reset,
        width="100%",
    )


def _new_password_step() -> rx.Component:
    return rx.form(
        rx.vstack(
            _who(),
            rx.text(
                "Your administrator created this account with a temporary password.",
                size="2",
                color=rx.color("gray", 11),
            ),
            field(
                "New password",
                name="new_password",
                type_="password",
                autocomplete="new-password",
                auto_focus=True,
            ),
            field(
                "Repeat new password",
                name="confirm_password",
                type_="password",
                autocomplete="new-password",
            ),
            error_slot(LoginState.error),
            submit_button("Set password and sign in", busy=LoginState.busy),
            spacing="3",
            width="100%",
        ),
        on_submit=PasswordLoginState.submit_new_password,
        width="100%",
    )


def _autofill_done() -> rx.Component:
    """Clicked by assets/passkeys.js when autofill ends; hands the result to the server."""
    return rx.el.button(
        id=AUTOFILL_DONE_ID,
        type="button",
        hidden=True,
        tab_index=-1,
        aria_hidden="true",
        on_click=rx.call_script(take_autofill_call(), callback=PasskeyLoginState.finish_autofill),
    )


def login_page() -> rx.Component:
    """The sign-in card."""
    return page_shell(
        _autofill_done(),
        prefetch_page(rx.cond(LoginState.next_path, LoginState.next_path, routes.ACCOUNT)),
        card(
            rx.vstack(
                rx.heading("Sign in", size="6", as_="h1"),
                status_line(LoginState.status),
                spacing="1",
                width="100%",
            ),
            notice_slot(LoginState.notice),
            rx.match(
                LoginState.step,
                (STEP_PASSWORD, _password_step()),
                (STEP_NEW_PASSWORD, _new_password_step()),
                (STEP_RESET, _reset_step()),
                (STEP_PASSKEY, _passkey_step()),
                (STEP_EMAIL, _email_step()),
                _email_step(),
            ),
            login_email_link_offer(),
        ),
    )
