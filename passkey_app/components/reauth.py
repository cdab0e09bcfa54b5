"""The one "Confirm it's you" dialog, for any state that mixes in ``ReauthMixin``
(passkey_app/state/reauth.py): a passkey when the person has one, otherwise the
password. A state that has a next step of its own after the confirmation (creating a
passkey needs a click of its own) passes it as ``confirmed``."""

from __future__ import annotations

import reflex as rx

from passkey_app.components.forms import error_slot, field, status_line, submit_button
from passkey_app.components.layout import returns_focus
from passkey_app.state.reauth import ReauthMixin

SAY_DEVICE = "Confirm with your device: fingerprint, face or screen lock…"


def reauth_dialog(
    state: type[ReauthMixin], *, confirmed: rx.Component | None = None
) -> rx.Component:
    """The dialog bound to ``state``'s fields and events."""
    cancel = rx.dialog.close(
        rx.button("Cancel", variant="soft", color_scheme="gray", type="button"),
    )
    ask = rx.vstack(
        rx.dialog.description(state.reauth_reason),
        rx.cond(state.reauth_js != "", _with_passkey(state), _with_password(state)),
        error_slot(state.reauth_error, id_="reauth-error"),
        rx.hstack(cancel, justify="end", width="100%"),
        spacing="3",
        width="100%",
    )
    body = ask if confirmed is None else rx.cond(state.reauth_confirmed, confirmed, ask)
    return rx.dialog.root(
        rx.dialog.content(
            rx.vstack(
                rx.dialog.title("Confirm it's you", margin_bottom="0"),
                body,
                spacing="3",
                width="100%",
            ),
            max_width="26rem",
            **returns_focus(),
        ),
        open=state.reauth_open,
        on_open_change=state.reauth_open_changed,
    )


def _with_passkey(state: type[ReauthMixin]) -> rx.Component:
    return rx.vstack(
        rx.button(
            rx.icon("fingerprint", size=16),
            "Use a passkey",
            type="button",
            width="100%",
            loading=state.reauth_busy,
            disabled=state.reauth_busy,
            on_click=[
                state.start_reauth_passkey,
                rx.call_script(state.reauth_js, callback=state.finish_reauth_passkey),
            ],
        ),
        rx.cond(state.reauth_busy, status_line(SAY_DEVICE), status_line("")),
        spacing="1",
        width="100%",
    )


def _with_password(state: type[ReauthMixin]) -> rx.Component:
    return rx.form(
        rx.vstack(
            field(
                "Password",
                name="password",
                type_="password",
                autocomplete="current-password",
                auto_focus=True,
            ),
            submit_button("Confirm", busy=state.reauth_busy),
            spacing="3",
            width="100%",
        ),
        on_submit=state.confirm_reauth_password,
        width="100%",
    )
