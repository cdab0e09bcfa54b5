"""The email-link pages: "check your email" after a request, and the landing page the
link leads to (signing in, a confirmation when opened elsewhere, or a dead link)."""

from __future__ import annotations

import reflex as rx

from passkey_app import routes
from passkey_app.components.forms import error_slot
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
                "If that address can sign in here, a link is on its way. It works once, "
                "for 15 minutes. Open it on this device to sign in straight away.",
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
                _sent(),
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
