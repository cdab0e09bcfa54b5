"""The pool's password rules beside a new-password field, and the account page's
"Password" card with its "Change password" dialog."""

from __future__ import annotations

import reflex as rx
from reflex.vars import Var

from passkey_app.components.forms import error_slot, field, status_line, submit_button
from passkey_app.components.layout import SCREEN_READER_ONLY, returns_focus
from passkey_app.components.reauth import reauth_dialog
from passkey_app.state.password import AT_FORM, AT_NEW, AT_REPEAT, PasswordState
from passkey_app.state.password_rules import RULE_MET, RULE_UNMET, RuleItem


def _rule(item: RuleItem) -> rx.Component:
    icon = rx.match(
        item.state,
        (RULE_MET, rx.icon("check", size=14, color=rx.color("green", 11), aria_hidden="true")),
        (RULE_UNMET, rx.icon("x", size=14, color=rx.color("red", 11), aria_hidden="true")),
        rx.icon("dot", size=14, color=rx.color("gray", 10), aria_hidden="true"),
    )
    said = rx.match(item.state, (RULE_MET, " (met)"), (RULE_UNMET, " (missing)"), "")
    return rx.el.li(
        rx.hstack(
            icon,
            rx.text(
                item.text,
                rx.el.span(said, style=SCREEN_READER_ONLY),
                size="1",
                color=rx.cond(item.state == RULE_UNMET, rx.color("red", 11), rx.color("gray", 11)),
            ),
            spacing="1",
            align="center",
        ),
    )


def password_rules(rules: list[RuleItem], *, id_: str) -> rx.Component:
    """The rules as a list (a state's var); after a refused password each is marked met
    or missing."""
    items: Var[list[RuleItem]] = Var.create(rules)
    return rx.cond(
        items.length() > 0,  # type: ignore[attr-defined]
        rx.vstack(
            rx.text("Your new password needs:", size="1", color=rx.color("gray", 11)),
            rx.el.ul(
                rx.foreach(items, _rule),
                style={"listStyle": "none", "margin": 0, "padding": 0},
            ),
            spacing="1",
            width="100%",
            id=id_,
        ),
    )


def password_card() -> rx.Component:
    """For people with a password: change it (after a recent sign-in), with its "Confirm
    it's you" and "Change password" dialogs. It loads itself when it appears, so the page
    table's on_load is left as it is."""
    return rx.fragment(
        rx.box(
            rx.cond(PasswordState.has_password, _card()),
            on_mount=PasswordState.load,
            width="100%",
        ),
        reauth_dialog(PasswordState),
        change_password_dialog(),
    )


def _card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading("Password", size="4", as_="h2"),
                rx.button(
                    rx.icon("key-square", size=16),
                    "Change password",
                    type="button",
                    variant="soft",
                    loading=PasswordState.busy & ~PasswordState.form_open,
                    disabled=PasswordState.busy,
                    on_click=PasswordState.start_change,
                ),
                justify="between",
                align="center",
                width="100%",
                spacing="3",
            ),
            rx.text(
                "You can also sign in with your password, wherever you have no passkey.",
                size="2",
                color=rx.color("gray", 11),
            ),
            spacing="2",
            width="100%",
        ),
        size="3",
        width="100%",
    )


def _error_at(place: str, id_: str) -> rx.Component:
    return error_slot(rx.cond(PasswordState.error_at == place, PasswordState.error, ""), id_=id_)


def change_password_dialog() -> rx.Component:
    """New password twice, the rules, and whether to sign out the other sessions."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Change password", margin_bottom="0"),
            rx.dialog.description(
                "Choose a new password. The old one stops working at once.",
                size="2",
                margin_bottom="0.5rem",
            ),
            rx.form(
                rx.vstack(
                    rx.el.input(
                        type="hidden",
                        name="username",
                        value=PasswordState.email,
                        auto_complete="username",
                    ),
                    field(
                        "New password",
                        name="change_password",
                        type_="password",
                        autocomplete="new-password",
                        auto_focus=True,
                        error_id="change-rules change-password-error",
                    ),
                    password_rules(PasswordState.rules, id_="change-rules"),
                    _error_at(AT_NEW, "change-password-error"),
                    field(
                        "Repeat new password",
                        name="change_repeat",
                        type_="password",
                        autocomplete="new-password",
                        error_id="change-repeat-error",
                    ),
                    _error_at(AT_REPEAT, "change-repeat-error"),
                    rx.el.label(
                        rx.hstack(
                            rx.checkbox(
                                checked=PasswordState.end_others,
                                on_change=PasswordState.set_end_others,
                            ),
                            rx.text("Sign out my other sessions", size="2"),
                            spacing="2",
                            align="center",
                        ),
                    ),
                    _error_at(AT_FORM, "change-form-error"),
                    status_line(PasswordState.status),
                    rx.hstack(
                        rx.dialog.close(
                            rx.button("Cancel", type="button", variant="soft", color_scheme="gray"),
                        ),
                        rx.box(submit_button("Change password", busy=PasswordState.busy)),
                        justify="end",
                        spacing="3",
                        width="100%",
                    ),
                    spacing="2",
                    width="100%",
                ),
                on_submit=PasswordState.submit_change,
                width="100%",
            ),
            max_width="28rem",
            **returns_focus(),
        ),
        open=PasswordState.form_open,
        on_open_change=PasswordState.form_open_changed,
    )
