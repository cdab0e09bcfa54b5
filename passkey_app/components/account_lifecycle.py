"""The account page's "Sign-in methods" card (the password, and removing it when a synced
passkey allows), the "Delete account" card, and their dialogs."""

from __future__ import annotations

import reflex as rx

from passkey_app.components.forms import error_slot, field
from passkey_app.components.layout import list_row, returns_focus
from passkey_app.components.reauth import reauth_dialog as shared_reauth_dialog
from passkey_app.state.account_lifecycle import AccountLifecycleState as State

MUTED = rx.color("gray", 11)

NO_PASSKEY_YET = (
    "Add a passkey first. Once one of your passkeys is synced, you can remove your password."
)
DEVICE_BOUND_ONLY = (
    "Your passkeys are kept on a single device. Add a synced passkey (one saved by a "
    "passkey manager such as iCloud Keychain or Google Password Manager) before removing "
    "your password, or keep your password: if you lost that device, you couldn't sign in."
)
CAN_GO_PASSWORDLESS = (
    "You have a synced passkey, so you can sign in without a password. Without one, nobody "
    "can get in with a guessed or leaked password."
)
PASSWORDLESS = (
    "Your account has no password. You sign in with your passkeys, or with a link we email you."
)


def _password_row() -> rx.Component:
    return list_row(
        "rectangle-ellipsis",
        rx.vstack(
            rx.text("Password", weight="medium", size="2"),
            rx.cond(
                State.has_password,
                rx.text("Set", size="1", color=MUTED),
                rx.text(
                    rx.cond(
                        State.passwordless_since != "",
                        "None since " + State.passwordless_since,
                        "None",
                    ),
                    size="1",
                    color=MUTED,
                ),
            ),
            spacing="1",
            flex="1",
        ),
        rx.cond(
            State.can_remove_password,
            rx.button(
                "Remove password",
                type="button",
                variant="soft",
                color_scheme="red",
                on_click=State.open_remove,
            ),
        ),
    )


def _explanation() -> rx.Component:
    advice = rx.callout.root(
        rx.callout.icon(rx.icon("smartphone")),
        rx.callout.text(DEVICE_BOUND_ONLY, size="2"),
        color_scheme="amber",
        size="1",
        width="100%",
        data_testid="passwordless-advice",
    )
    return rx.cond(
        ~State.has_password,
        rx.text(PASSWORDLESS, size="2", color=MUTED),
        rx.cond(
            State.can_remove_password,
            rx.text(CAN_GO_PASSWORDLESS, size="2", color=MUTED),
            rx.cond(
                State.passkey_count > 0,
                advice,
                rx.text(NO_PASSKEY_YET, size="2", color=MUTED),
            ),
        ),
    )


def sign_in_methods_card() -> rx.Component:
    """The password, and what can be done about it given the person's passkeys."""
    return rx.card(
        rx.vstack(
            rx.heading("Sign-in methods", size="4", as_="h2"),
            rx.cond(
                State.methods_loaded,
                rx.vstack(_explanation(), _password_row(), spacing="2", width="100%"),
                rx.skeleton(rx.box(height="3.5rem", width="100%")),
            ),
            spacing="2",
            width="100%",
        ),
        size="3",
        width="100%",
        data_testid="sign-in-methods",
    )


def danger_zone_card() -> rx.Component:
    """Deleting the account, set apart."""
    return rx.card(
        rx.vstack(
            rx.heading("Delete account", size="4", as_="h2"),
            rx.text(
                "Removes your account, your passkeys and every session for good. This "
                "can't be undone.",
                size="2",
                color=MUTED,
            ),
            rx.button(
                "Delete account…",
                type="button",
                variant="soft",
                color_scheme="red",
                on_click=State.open_delete,
            ),
            spacing="3",
            align="start",
            width="100%",
        ),
        size="3",
        width="100%",
        border=f"1px solid {rx.color('red', 6)}",
        data_testid="danger-zone",
    )


def remove_password_dialog() -> rx.Component:
    """Ask before removing the password."""
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Remove your password?"),
            rx.alert_dialog.description(
                "Your password stops working everywhere. You'll sign in with your passkeys, "
                "or with a link we email you.",
                size="2",
            ),
            error_slot(State.remove_error, id_="remove-dialog-error"),
            rx.hstack(
                rx.alert_dialog.cancel(
                    rx.button("Keep password", variant="soft", color_scheme="gray"),
                ),
                rx.button(
                    "Remove password",
                    color_scheme="red",
                    loading=State.remove_busy,
                    on_click=State.remove_password,
                ),
                justify="end",
                spacing="3",
            ),
            max_width="26rem",
            **returns_focus(),
        ),
        open=State.remove_open,
        on_open_change=State.remove_open_changed,
    )


def delete_account_dialog() -> rx.Component:
    """The address typed to confirm, then the deletion."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Delete your account?"),
            rx.dialog.description(
                "Your account, passkeys, sessions and sign-in links are removed for good, "
                "and this browser is asked to forget your passkeys for this site.",
                size="2",
                margin_bottom="0.75rem",
            ),
            rx.form(
                rx.vstack(
                    rx.text(
                        "To confirm, type ",
                        rx.text.strong(State.account_email),
                        ".",
                        size="2",
                    ),
                    field(
                        "Your email address",
                        name="confirmation",
                        id_="delete-confirmation",
                        type_="email",
                        auto_focus=True,
                        error_id="delete-account-error",
                    ),
                    error_slot(State.delete_error, id_="delete-account-error"),
                    rx.hstack(
                        rx.dialog.close(
                            rx.button("Cancel", type="button", variant="soft", color_scheme="gray"),
                        ),
                        rx.button(
                            "Delete my account",
                            type="submit",
                            color_scheme="red",
                            loading=State.delete_busy,
                        ),
                        justify="end",
                        spacing="3",
                        width="100%",
                    ),
                    spacing="2",
                    width="100%",
                ),
                on_submit=State.confirm_delete,
                reset_on_submit=False,
            ),
            max_width="26rem",
            **returns_focus(),
        ),
        open=State.delete_open,
        on_open_change=State.delete_open_changed,
    )


def reauth_dialog() -> rx.Component:
    """ "Confirm it's you" before either change."""
    return shared_reauth_dialog(State)
