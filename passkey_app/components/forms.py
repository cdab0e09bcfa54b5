"""Labelled form fields and the message slots that never make the layout jump."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.event import EventType
from reflex.vars import Var


def field(
    label: str,
    *,
    name: str,
    id_: str = "",
    type_: str = "text",
    autocomplete: str = "off",
    placeholder: str = "",
    auto_focus: bool | Var[bool] = False,
    default_value: Var[str] | str = "",
    on_click: EventType[()] | None = None,
    on_key_down: EventType[()] | None = None,
    error_id: str = "",
    input_mode: str = "",
) -> rx.Component:
    """A visible label tied to its input by id, for screen readers and clicks; with
    ``error_id``, the input is described by that error slot (several ids, space-separated,
    name several); ``input_mode`` picks a phone's keyboard ("numeric" for a code).

    Reflex reads a form's values through refs named after the ids, so two forms that
    can replace each other on one page need different ``id_`` values (else the ref of
    the one leaving can blank the one arriving)."""
    field_id = id_ or name
    extra: dict[str, Any] = {"aria_describedby": error_id} if error_id else {}
    if on_click is not None:
        extra["on_click"] = on_click
    if on_key_down is not None:
        extra["on_key_down"] = on_key_down
    if input_mode:
        extra["input_mode"] = input_mode
    return rx.vstack(
        rx.el.label(
            rx.text(label, size="2", weight="medium"),
            html_for=field_id,
        ),
        rx.input(
            id=field_id,
            name=name,
            type=type_,
            auto_complete=autocomplete,
            placeholder=placeholder,
            auto_focus=auto_focus,
            default_value=default_value,
            required=True,
            size="3",
            width="100%",
            **extra,
        ),
        spacing="1",
        width="100%",
    )


def error_slot(message: Var[str] | str, *, id_: str = "form-error") -> rx.Component:
    """Room for one line of error, reserved so the form does not move when it appears;
    placed right under the control whose action it explains."""
    return rx.text(
        message,
        color=rx.color("red", 11),
        size="2",
        min_height="1.5em",
        role="alert",
        aria_live="polite",
        id=id_,
    )


def status_line(message: Var[str] | str) -> rx.Component:
    """What is happening now (a polite live region: screen readers announce each change,
    such as "Confirm with your device…" while the device's prompt is up). Two lines are
    reserved so the card does not jump when the sentence changes."""
    return rx.text(
        message,
        color=rx.color("gray", 11),
        size="2",
        role="status",
        aria_live="polite",
        min_height="2.75em",
    )


def notice_slot(message: Var[str] | str) -> rx.Component:
    """A calm, dismissable-by-navigation notice (signed out, link expired)."""
    return rx.cond(
        message != "",
        rx.callout(message, icon="info", color_scheme="gray", size="1", width="100%"),
    )


def submit_button(label: str, *, busy: Var[bool] | bool) -> rx.Component:
    """Full-width primary button: shows a spinner and refuses clicks while busy, and until
    the page is live (a click before the websocket is up would be lost)."""
    return rx.button(
        label,
        type="submit",
        loading=busy,
        disabled=Var.create(busy) | ~rx.State.is_hydrated,
        size="3",
        width="100%",
    )


def email_chip(
    email: Var[str] | str, *, on_change: EventType[()], busy: Var[bool] | bool
) -> rx.Component:
    """The address a multi-step form is working on, with a way back to change it."""
    return rx.hstack(
        rx.text(email, size="2", weight="medium", trim="both"),
        rx.button(
            "Change",
            type="button",
            variant="ghost",
            size="1",
            on_click=on_change,
            disabled=busy,
        ),
        justify="between",
        align="center",
        width="100%",
        padding="0.625rem 0.75rem",
        border_radius="var(--radius-3)",
        background=rx.color("gray", 3),
    )


def email_form(
    *,
    email: Var[str] | str,
    error: Var[str] | str,
    busy: Var[bool] | bool,
    on_submit: EventType[dict[str, Any]],
    autocomplete: str = "username",
    on_click: EventType[()] | None = None,
    on_key_down: EventType[()] | None = None,
) -> rx.Component:
    """Step one of a multi-step card: the email and "Continue"."""
    return rx.form(
        rx.vstack(
            field(
                "Email",
                name="email",
                type_="email",
                autocomplete=autocomplete,
                placeholder="you@example.com",
                auto_focus=True,
                default_value=email,
                on_click=on_click,
                on_key_down=on_key_down,
                error_id="form-error",
            ),
            error_slot(error),
            submit_button("Continue", busy=busy),
            spacing="3",
            width="100%",
        ),
        on_submit=on_submit,
        width="100%",
    )
