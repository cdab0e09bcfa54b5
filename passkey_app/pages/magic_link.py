"""The email-link pages: "check your email" after a request (with the field for the
mail's sign-in code), and the landing page the link leads to (signing in, a
confirmation when opened elsewhere, or a dead link)."""

from __future__ import annotations

import reflex as rx

from passkey_app import routes
from passkey_app.components.forms import error_slot, status_line, submit_button
from passkey_app.components.layout import card, page_shell
from passkey_app.state.login.email_link import (
    LANDING_CONFIRM,
    LANDING_INVALID,
    MagicLinkLandingState,
    MagicLinkSentState,
)


def _back_to_sign_in() -> rx.Component:
    return rx.link("Back to sign in", href=routes.LOGIN, size="2", weight="medium")


def _outbox_hint() -> rx.Component:
    # callout.text is the paragraph itself: a rx.text inside rx.callout would put a <p>
    # in a <p>, which React reports as a hydration error.
    return rx.callout.root(
        rx.callout.icon(rx.icon("inbox")),
        rx.callout.text(
            "Running locally: mail goes to the ",
            rx.link("local outbox", href=routes.OUTBOX, weight="medium"),
            ".",
        ),
        color_scheme="gray",
        size="1",
        width="100%",
    )


def _sent() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.icon("mail-check", size=28, color=rx.color("accent", 10), flex_shrink="0"),
            rx.text(
                "If that address can sign in here, an email with a link and a code is on "
                "its way. Open the link on this device, or type the code below.",
                size="2",
                color=rx.color("gray", 11),
            ),
            spacing="3",
            align="center",
        ),
        rx.text(
            "Nothing arrived? Check your spam folder, or ask again in a minute.",
            size="2",
            color=rx.color("gray", 11),
        ),
        spacing="3",
        width="100%",
    )


CODE_FIELD_ID = "sign-in-code"


def _code_form() -> rx.Component:
    """The code from the mail, typed in this browser (the one that asked for it)."""
    return rx.form(
        rx.vstack(
            rx.el.label(
                rx.text("Or enter the code from the email", size="2", weight="medium"),
                html_for=CODE_FIELD_ID,
            ),
            rx.input(
                id=CODE_FIELD_ID,
                name="code",
                auto_complete="one-time-code",
                input_mode="text",
                auto_capitalize="characters",
                spell_check=False,
                placeholder="XXXX-XXXX",
                max_length=32,
                required=True,
                size="3",
                width="100%",
                font_family="var(--code-font-family)",
                letter_spacing="0.1em",
                aria_describedby="sign-in-code-hint sign-in-code-error",
                aria_invalid=rx.cond(MagicLinkSentState.code_error != "", "true", "false"),
            ),
            rx.text(
                "8 letters and digits. It works only in this browser, for 10 minutes.",
                id="sign-in-code-hint",
                size="1",
                color=rx.color("gray", 11),
            ),
            error_slot(MagicLinkSentState.code_error, id_="sign-in-code-error"),
            submit_button("Sign in with the code", busy=MagicLinkSentState.code_busy),
            status_line(MagicLinkSentState.code_status),
            spacing="2",
            width="100%",
        ),
        on_submit=MagicLinkSentState.submit_code,
        width="100%",
    )


def link_sent_page(embedded: bool) -> rx.Component:
    """After a request: the same page whether or not the address has an account."""
    return page_shell(
        card(
            rx.heading("Check your email", size="6", as_="h1"),
            rx.cond(
                MagicLinkSentState.problem != "",
                rx.callout(
                    MagicLinkSentState.problem,
                    icon="triangle-alert",
                    color_scheme="amber",
                    size="1",
                    width="100%",
                ),
                rx.vstack(_sent(), _code_form(), spacing="4", width="100%"),
            ),
            _outbox_hint() if embedded else rx.fragment(),
            _back_to_sign_in(),
        ),
    )


def _confirm() -> rx.Component:
    return rx.vstack(
        rx.text(
            rx.cond(MagicLinkLandingState.signup, "Create the account ", "Sign in as "),
            rx.text.strong(MagicLinkLandingState.email),
            " on this device?",
            size="3",
        ),
        rx.text(
            "This link was asked for in another browser. Continue only if you asked for it "
            "yourself; if not, close this page.",
            size="2",
            color=rx.color("gray", 11),
        ),
        error_slot(MagicLinkLandingState.error),
        rx.button(
            rx.cond(MagicLinkLandingState.signup, "Create my account", "Sign in on this device"),
            type="button",
            size="3",
            width="100%",
            loading=MagicLinkLandingState.busy,
            disabled=MagicLinkLandingState.busy | ~rx.State.is_hydrated,
            on_click=MagicLinkLandingState.confirm,
        ),
        spacing="3",
        width="100%",
    )


def _invalid() -> rx.Component:
    return rx.vstack(
        rx.callout(
            MagicLinkLandingState.error,
            icon="link-2-off",
            color_scheme="amber",
            size="1",
            width="100%",
        ),
        _back_to_sign_in(),
        spacing="3",
        width="100%",
    )


def _signing_in() -> rx.Component:
    return rx.hstack(
        rx.spinner(size="3"),
        rx.text("Signing you in…", size="2", color=rx.color("gray", 11)),
        spacing="3",
        align="center",
    )


def link_landing_page() -> rx.Component:
    """Where the link in the mail leads (the token itself is in an HttpOnly cookie)."""
    return page_shell(
        card(
            rx.heading(
                rx.cond(MagicLinkLandingState.signup, "Create your account", "Sign in"),
                size="6",
                as_="h1",
            ),
            rx.match(
                MagicLinkLandingState.status,
                (LANDING_CONFIRM, _confirm()),
                (LANDING_INVALID, _invalid()),
                _signing_in(),
            ),
        ),
    )
