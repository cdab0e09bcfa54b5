"""The adoption charts (rx.recharts): share with a passkey, logins per day by method,
passkey sign-ups vs password users who added one, top authenticator models."""

from __future__ import annotations

import reflex as rx

from passkey_app.components.forms import error_slot
from passkey_app.state.admin.adoption import WINDOWS, AdminAdoptionState

PASSKEY, PASSWORD, EMAIL = "#3e63dd", "#8b8d98", "#12a594"
AXIS = {"stroke": "var(--gray-9)", "font_size": 12}
# The category and value axes say which ticks to label (a number): recharts' default
# ("preserveEnd") measures the text of every tick in the DOM first. The models chart's
# horizontal value axis keeps it, so that its last label is not cut at the edge.


def _chart_card(title: str, chart: rx.Component, note: str = "") -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(title, size="3", as_="h2"),
            rx.cond(note != "", rx.text(note, size="1", color=rx.color("gray", 11))),
            chart,
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


def _share() -> rx.Component:
    return _chart_card(
        "Active users with a passkey",
        rx.hstack(
            rx.recharts.pie_chart(
                rx.recharts.pie(
                    data=AdminAdoptionState.share_data,
                    data_key="value",
                    name_key="name",
                    inner_radius="60%",
                    outer_radius="90%",
                    is_animation_active=False,
                    stroke="none",
                ),
                rx.recharts.graphing_tooltip(),
                width=160,
                height=160,
            ),
            rx.vstack(
                rx.text(AdminAdoptionState.share_label, size="8", weight="bold"),
                rx.text(
                    AdminAdoptionState.with_passkey,
                    " of ",
                    AdminAdoptionState.active,
                    " users who signed in have a passkey",
                    size="2",
                    color=rx.color("gray", 11),
                ),
                spacing="1",
            ),
            align="center",
            spacing="4",
        ),
    )


def _logins() -> rx.Component:
    return _chart_card(
        "Logins per day by method",
        rx.recharts.bar_chart(
            rx.recharts.cartesian_grid(stroke_dasharray="3 3", stroke="var(--gray-5)"),
            rx.recharts.x_axis(
                data_key="day", interval=AdminAdoptionState.day_tick_interval, **AXIS
            ),
            rx.recharts.y_axis(allow_decimals=False, interval=0, **AXIS),
            rx.recharts.graphing_tooltip(),
            rx.recharts.legend(),
            rx.recharts.bar(
                data_key="Passkey", stack_id="a", fill=PASSKEY, is_animation_active=False
            ),
            rx.recharts.bar(
                data_key="Password", stack_id="a", fill=PASSWORD, is_animation_active=False
            ),
            rx.recharts.bar(
                data_key="Email link", stack_id="a", fill=EMAIL, is_animation_active=False
            ),
            data=AdminAdoptionState.logins,
            width="100%",
            height=260,
        ),
        "Successful logins, UTC days.",
    )


def _monthly() -> rx.Component:
    return _chart_card(
        "New passkeys per month",
        rx.recharts.bar_chart(
            rx.recharts.cartesian_grid(stroke_dasharray="3 3", stroke="var(--gray-5)"),
            rx.recharts.x_axis(data_key="month", interval=0, **AXIS),
            rx.recharts.y_axis(allow_decimals=False, interval=0, **AXIS),
            rx.recharts.graphing_tooltip(),
            rx.recharts.legend(),
            rx.recharts.bar(data_key="Passkey sign-ups", fill=PASSKEY, is_animation_active=False),
            rx.recharts.bar(
                data_key="Password users who added one", fill=EMAIL, is_animation_active=False
            ),
            data=AdminAdoptionState.monthly,
            width="100%",
            height=260,
        ),
        "Accounts created with a passkey vs password accounts that added their first.",
    )


def _models() -> rx.Component:
    return _chart_card(
        "Top authenticator models",
        rx.recharts.bar_chart(
            rx.recharts.x_axis(type_="number", allow_decimals=False, **AXIS),
            rx.recharts.y_axis(data_key="model", type_="category", width=170, interval=0, **AXIS),
            rx.recharts.graphing_tooltip(),
            rx.recharts.bar(data_key="passkeys", fill=PASSKEY, is_animation_active=False),
            data=AdminAdoptionState.models,
            layout="vertical",
            width="100%",
            height=300,
        ),
        "From each passkey's AAGUID; Apple's passkeys report none.",
    )


def adoption_body() -> rx.Component:
    """The window picker and the four charts."""
    return rx.vstack(
        rx.hstack(
            rx.text("Window", size="2"),
            rx.select(
                list(WINDOWS),
                value=AdminAdoptionState.window,
                on_change=AdminAdoptionState.set_window,
                custom_attrs={"aria-label": "Window, in days"},
            ),
            rx.text("days", size="2"),
            align="center",
            spacing="2",
        ),
        error_slot(AdminAdoptionState.error),
        # Charts only once there are numbers: empty charts cost a whole render of their own.
        rx.cond(
            AdminAdoptionState.loaded,
            rx.vstack(
                rx.grid(
                    _share(),
                    _models(),
                    columns=rx.breakpoints(initial="1", md="2"),
                    spacing="4",
                    width="100%",
                    on_mount=AdminAdoptionState.show_lower_charts,
                ),
                rx.cond(
                    AdminAdoptionState.lower_charts,
                    rx.vstack(_logins(), _monthly(), spacing="4", width="100%"),
                ),
                spacing="4",
                width="100%",
            ),
            rx.cond(
                AdminAdoptionState.error == "", rx.skeleton(rx.box(height="40rem", width="100%"))
            ),
        ),
        spacing="4",
        width="100%",
    )
