"""One user's page for admins: details, actions, passkeys, recent events."""

from __future__ import annotations

import reflex as rx

from passkey_app import routes
from passkey_app.components.admin.tables import MUTED, events_table, scrolling_table
from passkey_app.components.forms import error_slot
from passkey_app.components.layout import returns_focus, screen_reader_only
from passkey_app.state.admin.user import AdminPasskeyItem, AdminUserState


def _passkey_row(passkey: AdminPasskeyItem) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(passkey.name),
        rx.table.cell(passkey.model),
        rx.table.cell(
            rx.cond(
                passkey.synced,
                rx.badge("Synced", color_scheme="green", variant="soft"),
                rx.badge("Device-bound", color_scheme="gray", variant="soft"),
            )
        ),
        rx.table.cell(passkey.created),
        rx.table.cell(passkey.last_used),
        rx.table.cell(passkey.sign_count),
        rx.table.cell(
            rx.icon_button(
                rx.icon("trash-2", size=14),
                variant="ghost",
                color_scheme="red",
                aria_label="Remove passkey " + passkey.name,
                on_click=AdminUserState.ask_delete(passkey.id),  # type: ignore[operator]
            )
        ),
    )


def _actions() -> rx.Component:
    user = AdminUserState.user
    return rx.hstack(
        rx.cond(
            user.enabled,  # type: ignore[union-attr]
            rx.button(
                "Disable",
                color_scheme="red",
                variant="soft",
                on_click=AdminUserState.ask("disable"),  # type: ignore[operator]
            ),
            rx.button("Enable", variant="soft", on_click=AdminUserState.ask("enable")),  # type: ignore[operator]
        ),
        rx.button(
            "Sign out everywhere",
            variant="soft",
            color_scheme="orange",
            on_click=AdminUserState.ask("sign_out"),  # type: ignore[operator]
        ),
        rx.link(
            rx.button("Full audit log", variant="ghost"),
            href=f"{routes.ADMIN_AUDIT}?user=" + AdminUserState.sub,
        ),
        spacing="3",
        wrap="wrap",
    )


def user_page_body() -> rx.Component:
    """The user's facts, actions, passkeys and recent events."""
    user = AdminUserState.user
    facts = rx.data_list.root(
        rx.data_list.item(
            rx.data_list.label("Email"),
            rx.data_list.value(
                rx.hstack(
                    rx.text(user.email),  # type: ignore[union-attr]
                    rx.cond(
                        user.email_confirmed,  # type: ignore[union-attr]
                        rx.fragment(),
                        rx.badge("Email not confirmed", color_scheme="amber", variant="soft"),
                    ),
                    spacing="2",
                    align="center",
                    wrap="wrap",
                )
            ),
        ),
        rx.data_list.item(rx.data_list.label("Status"), rx.data_list.value(user.status)),  # type: ignore[union-attr]
        rx.data_list.item(
            rx.data_list.label("Enabled"),
            rx.data_list.value(rx.cond(user.enabled, "Yes", "No")),  # type: ignore[union-attr]
        ),
        rx.data_list.item(rx.data_list.label("Created by"), rx.data_list.value(user.created_by)),  # type: ignore[union-attr]
        rx.data_list.item(rx.data_list.label("Last login"), rx.data_list.value(user.last_login)),  # type: ignore[union-attr]
        rx.data_list.item(
            rx.data_list.label("Sub"), rx.data_list.value(rx.code(AdminUserState.sub))
        ),
        orientation=rx.breakpoints(initial="vertical", sm="horizontal"),
    )
    return rx.vstack(
        error_slot(AdminUserState.error),
        rx.cond(
            AdminUserState.found,
            rx.vstack(
                rx.card(rx.vstack(facts, _actions(), spacing="4"), width="100%"),
                rx.card(
                    rx.vstack(
                        rx.heading("Passkeys", size="4", as_="h2"),
                        scrolling_table(
                            (
                                "Name",
                                "Model",
                                "Kind",
                                "Created",
                                "Last used",
                                "Sign count",
                                screen_reader_only("Actions"),
                            ),
                            AdminUserState.passkeys,
                            _passkey_row,
                            label="Passkeys",
                        ),
                        rx.cond(
                            AdminUserState.passkeys.length() == 0,  # type: ignore[attr-defined]
                            rx.text("No passkeys.", size="2", color=MUTED),
                        ),
                        spacing="3",
                        width="100%",
                    ),
                    width="100%",
                ),
                rx.card(
                    rx.vstack(
                        rx.heading("Recent events", size="4", as_="h2"),
                        events_table(AdminUserState.events, label="Recent events"),
                        spacing="3",
                        width="100%",
                    ),
                    width="100%",
                ),
                spacing="4",
                width="100%",
            ),
        ),
        confirm_dialog(),
        spacing="4",
        width="100%",
    )


def confirm_dialog() -> rx.Component:
    """ "Are you sure?" for the pending action; hidden while "Confirm it's you" is up."""
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(AdminUserState.pending_title),
            rx.alert_dialog.description(AdminUserState.pending_text),
            rx.hstack(
                rx.alert_dialog.cancel(
                    rx.button(
                        "Cancel",
                        variant="soft",
                        color_scheme="gray",
                        on_click=AdminUserState.cancel,
                    )
                ),
                rx.button(
                    "Confirm",
                    color_scheme="red",
                    loading=AdminUserState.action_busy,
                    on_click=AdminUserState.run_pending,
                ),
                justify="end",
                spacing="3",
                margin_top="1rem",
            ),
            max_width="26rem",
            **returns_focus(),
        ),
        open=(AdminUserState.pending != "") & ~AdminUserState.reauth_open,
    )
