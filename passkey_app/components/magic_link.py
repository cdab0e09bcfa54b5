"""The "email me a link" offers. Each posts to the backend route in a full-page
navigation, so the response can set the HttpOnly cookie that binds the link to this
browser."""

from __future__ import annotations

import reflex as rx

from passkey_app.components.forms import error_slot, field, submit_button
from passkey_app.components.passkeys import add_passkey_button
from passkey_app.state.login.card import STEP_PASSKEY, STEP_PASSWORD, LoginState
from passkey_app.state.login.email_link import EmailLinkLoginState, MagicLinkSignupState
from passkey_app.state.passkeys import PasskeysState


def _email_link_button(label: str) -> rx.Component:
    return rx.button(
        rx.icon("mail", size=16),
        label,
        type="button",
        variant="ghost",
        size="2",
        disabled=EmailLinkLoginState.email_link_js == "",
        on_click=rx.call_script(EmailLinkLoginState.email_link_js),
    )


def login_email_link_offer() -> rx.Component:
    """Below the passkey step (no passkey on this device) and the password step ("forgot
    password?"), when the policy lets this person have links. Unknown addresses see the
    password step's offer too, so it tells nothing about who has an account."""
    return rx.cond(
        EmailLinkLoginState.email_link_offered,
        rx.match(
            LoginState.step,
            (STEP_PASSKEY, _email_link_button("Email me a sign-in link")),
            (STEP_PASSWORD, _email_link_button("Forgot password? Email me a link")),
            rx.fragment(),
        ),
    )


def email_signup_form() -> rx.Component:
    """Sign up without a passkey: the account is created when the mailed link is used."""
    return rx.form(
        rx.vstack(
            field(
                "Email",
                name="email",
                id_="signup-link-email",
                type_="email",
                autocomplete="username",
                placeholder="you@example.com",
                auto_focus=True,
            ),
            rx.text(
                "We'll email you a link. Open it to confirm the address and create your account.",
                size="2",
                color=rx.color("gray", 11),
            ),
            error_slot(MagicLinkSignupState.error),
            submit_button("Email me a sign-up link", busy=False),
            spacing="3",
            width="100%",
        ),
        on_submit=MagicLinkSignupState.submit,
        width="100%",
    )


def passkey_after_link_offer() -> rx.Component:
    """After a link or code sign-in: ask for a passkey on this device, until one is added."""
    return rx.cond(
        PasskeysState.link_offer & PasskeysState.passkeys_supported & PasskeysState.loaded,
        rx.callout.root(
            rx.callout.icon(rx.icon("fingerprint")),
            rx.vstack(
                rx.text("Add a passkey on this device", weight="bold", size="2"),
                rx.text(
                    "You signed in from your email. Create a passkey and this device "
                    "signs you in with your fingerprint, face or screen lock next time.",
                    size="2",
                ),
                rx.box(add_passkey_button("Create a passkey"), padding_top="0.25rem"),
                spacing="1",
            ),
            color_scheme="indigo",
            width="100%",
        ),
    )
