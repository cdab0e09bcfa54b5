"""Sign in: email first, then the password (or a new one when Cognito asks)."""

from __future__ import annotations

import reflex as rx

from passkey_app.components.forms import error_slot, field, notice_slot, submit_button
from passkey_app.components.layout import card, page_shell
from passkey_app.state.login import STEP_EMAIL, STEP_NEW_PASSWORD, STEP_PASSWORD, LoginState


def _email_step() -> rx.Component:
    return rx.form(
        rx.vstack(
            field(
                "Email",
                name="email",
                type_="email",
                autocomplete="username webauthn",
                placeholder="you@example.com",
                auto_focus=True,
                default_value=LoginState.email,
            ),
            error_slot(LoginState.error),
            submit_button("Continue", busy=LoginState.busy),
            spacing="3",
            width="100%",
        ),
        on_submit=LoginState.submit_email,
        width="100%",
    )


def _who() -> rx.Component:
    return rx.hstack(
        rx.text(LoginState.email, size="2", weight="medium", trim="both"),
        rx.button(
            "Change",
            type="button",
            variant="ghost",
            size="1",
            on_click=LoginState.change_email,
            disabled=LoginState.busy,
        ),
        justify="between",
        align="center",
        width="100%",
        padding="0.625rem 0.75rem",
        border_radius="var(--radius-3)",
        background=rx.color("gray", 3),
    )


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
            spacing="3",
            width="100%",
        ),
        on_submit=LoginState.submit_password,
        width="100%",
    )


def _new_password_step() -> rx.Component:
    return rx.form(
        rx.vstack(
            _who(),
            rx.text(
                "Your administrator created this account. Choose your own password to continue.",
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
        on_submit=LoginState.submit_new_password,
        width="100%",
    )


def login_page() -> rx.Component:
    """The sign-in card."""
    return page_shell(
        card(
            rx.vstack(
                rx.heading("Sign in", size="6", as_="h1"),
                rx.text(
                    "Welcome back. Enter your email to continue.",
                    color=rx.color("gray", 11),
                    size="2",
                ),
                spacing="1",
            ),
            notice_slot(LoginState.notice),
            rx.match(
                LoginState.step,
                (STEP_PASSWORD, _password_step()),
                (STEP_NEW_PASSWORD, _new_password_step()),
                (STEP_EMAIL, _email_step()),
                _email_step(),
            ),
        ),
    )
