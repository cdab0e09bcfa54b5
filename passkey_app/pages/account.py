"""The account page: signed-in details and sign out."""

from __future__ import annotations

import reflex as rx

from passkey_app import routes
from passkey_app.components.account_lifecycle import (
    danger_zone_card,
    delete_account_dialog,
    remove_password_dialog,
    sign_in_methods_card,
)
from passkey_app.components.account_lifecycle import reauth_dialog as lifecycle_reauth_dialog
from passkey_app.components.layout import card, page_shell
from passkey_app.components.magic_link import passkey_after_link_offer
from passkey_app.components.passkeys import (
    delete_dialog,
    passkey_offer,
    passkeys_card,
    reauth_dialog,
    rename_dialog,
)
from passkey_app.components.password import password_card
from passkey_app.components.sessions import sessions_card
from passkey_app.state.account import AccountState
from passkey_app.state.ceremony import post_navigate_call


def sign_out_button(api_url: str) -> rx.Component:
    """A full-page POST to the backend route that revokes the tokens and clears the cookie."""
    url = f"{api_url.rstrip('/')}{routes.API_SESSION_LOGOUT}"
    return rx.button(
        "Sign out",
        type="button",
        variant="soft",
        color_scheme="gray",
        size="2",
        on_click=rx.call_script(post_navigate_call(url, {}, leaving=True)),
    )


def _detail(label: str, value: rx.Var[str] | str) -> rx.Component:
    return rx.data_list.item(
        rx.data_list.label(label, min_width="9rem"),
        rx.data_list.value(value),
    )


def _details() -> rx.Component:
    return rx.data_list.root(
        _detail("Email", AccountState.email),
        _detail("Signed in with", AccountState.method),
        _detail("Signed in", AccountState.signed_in_at),
        rx.data_list.item(
            rx.data_list.label("Session ends", min_width="9rem"),
            rx.data_list.value(
                rx.vstack(
                    rx.text(AccountState.session_expires_at),
                    rx.text(
                        "or after ",
                        AccountState.idle_limit,
                        " without activity",
                        size="1",
                        color=rx.color("gray", 11),
                    ),
                    spacing="0",
                )
            ),
        ),
        rx.data_list.item(
            rx.data_list.label("Role", min_width="9rem"),
            rx.data_list.value(
                rx.cond(
                    AccountState.is_admin,
                    rx.badge("Administrator", color_scheme="indigo"),
                    rx.badge("Member", color_scheme="gray"),
                )
            ),
        ),
        orientation=rx.breakpoints(initial="vertical", sm="horizontal"),
        size="2",
    )


def _loading() -> rx.Component:
    return rx.vstack(
        rx.skeleton(rx.box(height="1.5rem", width="60%")),
        rx.skeleton(rx.box(height="6rem", width="100%")),
        spacing="3",
        width="100%",
    )


def _claimed_notice() -> rx.Component:
    """Told once: what was removed when this person proved the address was theirs."""
    return rx.cond(
        AccountState.notice != "",
        rx.callout.root(
            rx.callout.icon(rx.icon("shield-check")),
            rx.vstack(
                rx.text("This account is yours now", weight="bold", size="2"),
                rx.text(AccountState.notice, size="2"),
                rx.button(
                    "Got it",
                    type="button",
                    variant="soft",
                    size="1",
                    high_contrast=True,
                    on_click=AccountState.dismiss_notice,
                ),
                spacing="2",
                align="start",
            ),
            color_scheme="amber",
            high_contrast=True,
            width="100%",
            role="status",
        ),
    )


def _unconfirmed_notice() -> rx.Component:
    """A passkey sign-up whose address is not proven yet."""
    return rx.cond(
        AccountState.email_unconfirmed,
        rx.callout.root(
            rx.callout.icon(rx.icon("mail")),
            rx.vstack(
                rx.text("Confirm your email", weight="bold", size="2"),
                rx.text(
                    "We emailed you a link. Open it in this browser to confirm the address "
                    "is yours. Until then, whoever confirms it first becomes the owner of "
                    "this account.",
                    size="2",
                ),
                rx.button(
                    "Send the link again",
                    type="button",
                    variant="soft",
                    size="1",
                    high_contrast=True,
                    on_click=AccountState.resend_confirmation,
                ),
                spacing="2",
                align="start",
            ),
            color_scheme="blue",
            high_contrast=True,
            width="100%",
        ),
    )


def account_page(api_url: str) -> rx.Component:
    """Account details, shown only after the server has checked the session."""
    return page_shell(
        _claimed_notice(),
        _unconfirmed_notice(),
        passkey_after_link_offer(),
        passkey_offer(),
        card(
            rx.vstack(
                rx.heading("Your account", size="6", as_="h1"),
                rx.text(
                    "Signed in through your organisation's Cognito user pool.",
                    color=rx.color("gray", 11),
                    size="2",
                ),
                spacing="1",
            ),
            rx.cond(AccountState.loaded, _details(), _loading()),
        ),
        passkeys_card(),
        sign_in_methods_card(),
        password_card(),
        sessions_card(),
        danger_zone_card(),
        reauth_dialog(),
        rename_dialog(),
        delete_dialog(),
        lifecycle_reauth_dialog(),
        remove_password_dialog(),
        delete_account_dialog(),
        actions=[
            rx.cond(AccountState.is_admin, rx.link("Admin dashboard", href=routes.ADMIN, size="2")),
            sign_out_button(api_url),
        ],
    )
