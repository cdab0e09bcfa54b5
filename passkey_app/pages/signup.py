"""Create an account with a passkey: the email, then one click on "Create passkey"."""

from __future__ import annotations

import reflex as rx

from passkey_app import routes
from passkey_app.components.forms import email_chip, email_form, error_slot
from passkey_app.components.layout import card, page_shell
from passkey_app.components.magic_link import email_signup_form
from passkey_app.components.prefetch import prefetch_page
from passkey_app.state.login.signup import STEP_CREATE, SignupState


def _email_step() -> rx.Component:
    return email_form(
        email=SignupState.email,
        error=SignupState.error,
        busy=SignupState.busy,
        on_submit=SignupState.submit_email,
    )


def _benefit(icon: str, text: str) -> rx.Component:
    return rx.hstack(
        rx.icon(icon, size=16, color=rx.color("accent", 10), flex_shrink="0"),
        rx.text(text, size="2", color=rx.color("gray", 11)),
        spacing="2",
        align="center",
    )


def _create_step() -> rx.Component:
    return rx.vstack(
        email_chip(SignupState.email, on_change=SignupState.change_email, busy=SignupState.busy),
        rx.vstack(
            _benefit("fingerprint", "Sign in with your fingerprint, face or screen lock."),
            _benefit("shield-check", "Nothing to remember, nothing to phish."),
            _benefit("smartphone", "Your device keeps the key; we never see it."),
            spacing="2",
        ),
        error_slot(SignupState.error),
        rx.button(
            rx.icon("key-round", size=16),
            "Create passkey",
            type="button",
            size="3",
            width="100%",
            loading=SignupState.busy,
            disabled=SignupState.busy | (SignupState.register_js == ""),
            on_click=[
                SignupState.start_creating,
                rx.call_script(SignupState.register_js, callback=SignupState.finish_signup),
            ],
        ),
        spacing="4",
        width="100%",
    )


def _unsupported() -> rx.Component:
    return rx.callout(
        "This browser can't create passkeys. You can still sign up: we'll email you a "
        "link instead.",
        icon="triangle-alert",
        color_scheme="amber",
        size="1",
        width="100%",
    )


def signup_page() -> rx.Component:
    """The sign-up card."""
    return page_shell(
        prefetch_page(routes.ACCOUNT),
        card(
            rx.vstack(
                rx.heading("Create your account", size="6", as_="h1"),
                rx.text(
                    "No password needed: your device signs you in with a passkey.",
                    color=rx.color("gray", 11),
                    size="2",
                ),
                spacing="1",
            ),
            rx.cond(~SignupState.passkeys_supported, _unsupported()),
            rx.cond(
                SignupState.step == STEP_CREATE,
                _create_step(),
                rx.cond(SignupState.passkeys_supported, _email_step(), email_signup_form()),
            ),
            rx.text(
                "Already have an account? ",
                rx.link("Sign in", href=routes.LOGIN, weight="medium"),
                size="2",
                color=rx.color("gray", 11),
                align="center",
                width="100%",
            ),
        ),
    )
