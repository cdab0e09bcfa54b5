"""The passkeys card of the account page, the offer to create one, and their dialogs."""

from __future__ import annotations

import reflex as rx

from passkey_app.components.forms import error_slot
from passkey_app.components.layout import list_row, returns_focus
from passkey_app.components.reauth import reauth_dialog as shared_reauth_dialog
from passkey_app.state.passkeys import PasskeyItem, PasskeysState


def add_passkey_button(label: str = "Add a passkey") -> rx.Component:
    """Runs the prepared registration from the click; asks to confirm first when the login
    is older than five minutes."""
    return rx.cond(
        PasskeysState.register_js != "",
        rx.button(
            rx.icon("plus", size=16),
            label,
            type="button",
            loading=PasskeysState.busy,
            disabled=PasskeysState.busy,
            on_click=[
                PasskeysState.start_ceremony,
                rx.call_script(PasskeysState.register_js, callback=PasskeysState.finish_add),
            ],
        ),
        rx.button(
            rx.icon("plus", size=16),
            label,
            type="button",
            loading=PasskeysState.busy,
            disabled=PasskeysState.busy,
            on_click=PasskeysState.open_reauth,
        ),
    )


def passkey_offer() -> rx.Component:
    """After a password login: one calm invitation, snoozed for two weeks by "Not now"."""
    return rx.cond(
        PasskeysState.offer & PasskeysState.passkeys_supported & PasskeysState.loaded,
        rx.callout.root(
            rx.callout.icon(rx.icon("fingerprint")),
            rx.vstack(
                rx.text("Sign in faster with a passkey", weight="bold", size="2"),
                rx.text(
                    "Use your fingerprint, face or screen lock next time instead of a "
                    "password. Your password keeps working.",
                    size="2",
                ),
                rx.hstack(
                    add_passkey_button("Create a passkey"),
                    rx.button(
                        "Not now",
                        type="button",
                        variant="ghost",
                        on_click=PasskeysState.snooze_offer,
                    ),
                    spacing="3",
                    align="center",
                    padding_top="0.25rem",
                ),
                spacing="1",
            ),
            color_scheme="indigo",
            width="100%",
        ),
    )


def _row(item: PasskeyItem) -> rx.Component:
    return list_row(
        "key-round",
        rx.vstack(
            rx.hstack(
                rx.text(item.name, weight="medium", size="2", data_testid="passkey-name"),
                rx.cond(
                    item.synced,
                    rx.badge("Synced", color_scheme="green", variant="soft", size="1"),
                    rx.badge("This device only", color_scheme="gray", variant="soft", size="1"),
                ),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
            rx.text(item.detail, size="1", color=rx.color("gray", 11)),
            spacing="1",
            flex="1",
            min_width="0",
        ),
        rx.hstack(
            rx.icon_button(
                rx.icon("pencil", size=14),
                variant="ghost",
                color_scheme="gray",
                aria_label=f"Rename {item.name}",
                on_click=PasskeysState.open_rename(item.id, item.name),  # type: ignore[operator]
            ),
            rx.icon_button(
                rx.icon("trash-2", size=14),
                variant="ghost",
                color_scheme="red",
                aria_label=f"Remove {item.name}",
                on_click=PasskeysState.open_delete(item.id, item.name),  # type: ignore[operator]
            ),
            spacing="3",
        ),
        test_id="passkey-row",
    )


def _empty() -> rx.Component:
    return rx.text(
        "No passkeys yet. Add one to sign in without a password.",
        size="2",
        color=rx.color("gray", 11),
        padding_y="0.75rem",
    )


def passkeys_card() -> rx.Component:
    """The list with its add button (left to the banner while an offer shows one);
    skeleton rows while the server checks the session."""
    add_here = PasskeysState.passkeys_supported & ~PasskeysState.offer & ~PasskeysState.link_offer
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading("Passkeys", size="4", as_="h2"),
                rx.cond(add_here, add_passkey_button()),
                justify="between",
                align="center",
                width="100%",
                spacing="3",
            ),
            rx.cond(
                PasskeysState.error != "",
                error_slot(PasskeysState.error, id_="passkeys-error"),
            ),
            rx.text(
                "Sign in with your fingerprint, face or screen lock instead of a password.",
                size="2",
                color=rx.color("gray", 11),
            ),
            rx.cond(
                PasskeysState.loaded,
                rx.cond(
                    PasskeysState.has_passkeys,
                    rx.vstack(rx.foreach(PasskeysState.items, _row), spacing="0", width="100%"),
                    _empty(),
                ),
                rx.skeleton(rx.box(height="3.5rem", width="100%")),
            ),
            spacing="2",
            width="100%",
        ),
        size="3",
        width="100%",
    )


def reauth_dialog() -> rx.Component:
    """ "Confirm it's you" before a change; after it, for an add, the armed "Create
    passkey" button (creating needs a click of its own)."""
    return shared_reauth_dialog(
        PasskeysState,
        confirmed=rx.vstack(
            rx.dialog.description("Thanks. Now create your new passkey."),
            rx.hstack(
                rx.dialog.close(
                    rx.button("Cancel", variant="soft", color_scheme="gray", type="button"),
                ),
                add_passkey_button("Create passkey"),
                justify="end",
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
    )


def rename_dialog() -> rx.Component:
    """Rename a passkey so the person recognises it."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Rename passkey"),
            rx.dialog.description(
                "Give “",
                PasskeysState.rename_name,
                "” a name you'll recognise, such as the device it's on.",
                size="2",
                margin_bottom="0.75rem",
            ),
            rx.form(
                rx.vstack(
                    rx.el.label(rx.text("Name", size="2", weight="medium"), html_for="name"),
                    rx.input(
                        id="name",
                        name="name",
                        default_value=PasskeysState.rename_name,
                        max_length=64,
                        required=True,
                        size="3",
                        width="100%",
                        auto_focus=True,
                    ),
                    error_slot(PasskeysState.rename_error, id_="rename-error"),
                    rx.hstack(
                        rx.button(
                            "Cancel",
                            type="button",
                            variant="soft",
                            color_scheme="gray",
                            on_click=PasskeysState.close_rename,
                        ),
                        rx.button("Save", type="submit"),
                        justify="end",
                        spacing="3",
                        width="100%",
                    ),
                    spacing="2",
                    width="100%",
                ),
                on_submit=PasskeysState.save_rename,
            ),
            max_width="26rem",
            **returns_focus(),
        ),
        open=PasskeysState.rename_id != 0,
        on_open_change=PasskeysState.rename_open_changed,
    )


def delete_dialog() -> rx.Component:
    """Confirm before removing a passkey."""
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Remove passkey?"),
            rx.alert_dialog.description(
                "You won't be able to sign in with “",
                PasskeysState.delete_name,
                "” any more. The passkey stays on your device until you delete it there.",
            ),
            rx.cond(
                PasskeysState.delete_sessions > 0,
                rx.el.label(
                    rx.hstack(
                        rx.checkbox(
                            checked=PasskeysState.delete_end_sessions,
                            on_change=PasskeysState.set_delete_end_sessions,
                        ),
                        rx.text(
                            "Also sign out the ",
                            PasskeysState.delete_sessions,
                            rx.cond(
                                PasskeysState.delete_sessions == 1,
                                " session this passkey signed in",
                                " sessions this passkey signed in",
                            ),
                            size="2",
                        ),
                        spacing="2",
                        align="center",
                    ),
                    padding_top="0.75rem",
                ),
            ),
            error_slot(PasskeysState.delete_error, id_="delete-error"),
            rx.hstack(
                rx.alert_dialog.cancel(
                    rx.button(
                        "Keep it",
                        variant="soft",
                        color_scheme="gray",
                        on_click=PasskeysState.close_delete,
                    )
                ),
                rx.button("Remove", color_scheme="red", on_click=PasskeysState.confirm_delete),
                justify="end",
                spacing="3",
            ),
            max_width="26rem",
            **returns_focus(),
        ),
        open=PasskeysState.delete_id != 0,
    )
