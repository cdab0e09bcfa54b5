"""The users table and the audit log table."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

import reflex as rx

from passkey_app import routes
from passkey_app.components.forms import error_slot
from passkey_app.state.admin.audit import AdminAuditState
from passkey_app.state.admin.user import EventItem
from passkey_app.state.admin.users import AdminUsersState, UserItem

MUTED = rx.color("gray", 11)
OPEN_RADIX_SCROLL_AREA = {
    "& .rt-ScrollAreaRoot, & .rt-ScrollAreaViewport": {"overflow": "visible !important"},
}


ROWS_AS_CARDS_ON_PHONES = {
    "@media (max-width: 47.99em)": {
        "& thead": {"display": "none"},
        "& table, & tbody": {"display": "block", "width": "100%", "height": "auto"},
        "& tr": {
            "display": "flex",
            "flex_wrap": "wrap",
            "align_items": "center",
            "gap": "0.25rem 0.75rem",
            "padding_y": "0.625rem",
            "border_top": f"1px solid {rx.color('gray', 4)}",
        },
        "& th, & td": {"display": "block", "padding": "0", "height": "auto", "box_shadow": "none"},
        "& th": {"width": "100%", "font_weight": "500"},
    }
}
"""The users table on a phone: no header, each row a card of its facts (one tree for
both layouts; a second list of cards doubled the page's rendering)."""


def scrolling_table(
    headers: tuple[str | rx.Component, ...],
    rows: Any,
    row: Callable[[Any], rx.Component],
    *,
    label: str,
    size: Literal["1", "2", "3"] = "1",
    style: dict[str, Any] | None = None,
    **box_props: Any,
) -> rx.Component:
    """A header row and one row per item, scrolling sideways when the screen is narrow.

    The box around the table is the scroller (Radix's own scroll area inside is opened
    up), a named region that takes focus, so a keyboard can scroll a table that holds
    nothing focusable."""
    return rx.box(
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(name) for name in headers])),
            rx.table.body(rx.foreach(rows, row)),
            width="100%",
            size=size,
        ),
        overflow_x="auto",
        width="100%",
        role="region",
        aria_label=label,
        tab_index=0,
        style={**OPEN_RADIX_SCROLL_AREA, **(style or {})},
        **box_props,
    )


def _pager(state: type[AdminUsersState] | type[AdminAuditState]) -> rx.Component:
    return rx.hstack(
        rx.button(
            "Previous",
            variant="soft",
            disabled=state.page_number <= 1,
            on_click=state.previous_page,
        ),
        rx.text("Page ", state.page_number, size="2", color=MUTED),
        rx.button("Next", variant="soft", disabled=~state.has_next, on_click=state.next_page),
        spacing="3",
        align="center",
        justify="end",
        width="100%",
    )


def _user_row(user: UserItem) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.link(user.email, href=f"{routes.ADMIN_USER}?sub=" + user.sub)),
        rx.table.cell(
            rx.hstack(
                rx.text(user.status, size="2"),
                rx.cond(~user.enabled, rx.badge("Disabled", color_scheme="red")),
                spacing="2",
            )
        ),
        rx.table.cell(user.created_by),
        rx.table.cell(
            rx.hstack(
                rx.badge(user.synced, " synced", color_scheme="green", variant="soft"),
                rx.badge(user.device_bound, " device", color_scheme="gray", variant="soft"),
                spacing="1",
            )
        ),
        rx.table.cell(
            rx.text(user.last_login, size="2", as_="div"),
            rx.text(user.last_method, size="1", color_scheme="gray", as_="div"),
        ),
        data_testid="admin-user-row",
    )


def invite_form() -> rx.Component:
    """Invite someone by email: they get a link that signs them in and asks for a passkey."""
    return rx.form(
        rx.vstack(
            rx.el.label(
                rx.text("Invite someone", size="2", weight="medium"), html_for="invite_email"
            ),
            rx.hstack(
                rx.input(
                    id="invite_email",
                    name="invite_email",
                    type="email",
                    placeholder="name@example.com",
                    auto_complete="off",
                    required=True,
                    max_length=254,
                    width="100%",
                    aria_describedby="invite-error",
                ),
                rx.button("Invite", type="submit", loading=AdminUsersState.invite_busy),
                width="100%",
            ),
            rx.cond(
                AdminUsersState.invite_sent != "",
                rx.text(
                    AdminUsersState.invite_sent,
                    size="2",
                    color=rx.color("green", 11),
                    role="status",
                ),
                error_slot(AdminUsersState.invite_error, id_="invite-error"),
            ),
            spacing="1",
            width="100%",
        ),
        on_submit=AdminUsersState.invite,
        key=AdminUsersState.invite_form_key,
        width="100%",
    )


def users_table() -> rx.Component:
    """The invitation form, search box, the page of users, the pager."""
    return rx.card(
        rx.vstack(
            invite_form(),
            rx.separator(size="4"),
            rx.form(
                rx.hstack(
                    rx.input(
                        name="search",
                        placeholder="Email starts with…",
                        aria_label="Search by email",
                        default_value=AdminUsersState.search,
                        key=AdminUsersState.search,
                        width="100%",
                        max_length=128,
                    ),
                    rx.button("Search", type="submit"),
                    width="100%",
                ),
                on_submit=AdminUsersState.run_search,
                width="100%",
            ),
            error_slot(AdminUsersState.error),
            scrolling_table(
                ("Email", "Status", "Created by", "Passkeys", "Last login"),
                AdminUsersState.rows,
                _user_row,
                label="Users",
                size="2",
                style=ROWS_AS_CARDS_ON_PHONES,
            ),
            rx.cond(
                AdminUsersState.rows.length() == 0,  # type: ignore[attr-defined]
                rx.text("No users match.", size="2", color=MUTED),
            ),
            _pager(AdminUsersState),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _event_row(event: EventItem) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(event.at, wrap="nowrap")),
        rx.table.cell(
            rx.hstack(
                rx.code(event.event_type),
                rx.cond(event.by_admin, rx.badge("by admin", color_scheme="indigo")),
                spacing="1",
            )
        ),
        rx.table.cell(
            rx.badge(
                event.outcome,
                color_scheme=rx.cond(event.outcome == "success", "green", "orange"),
                variant="soft",
            )
        ),
        rx.table.cell(event.email),
        rx.table.cell(rx.text(event.detail, size="1", color_scheme="gray")),
        data_testid="audit-row",
    )


def events_table(
    rows: rx.Var[list[EventItem]] | list[EventItem], *, label: str = "Audit events"
) -> rx.Component:
    """Audit events, newest first."""
    return scrolling_table(
        ("When (UTC)", "Event", "Outcome", "Email", "Detail"), rows, _event_row, label=label
    )


def audit_log() -> rx.Component:
    """Filters, then one page of the log."""
    return rx.card(
        rx.vstack(
            rx.form(
                rx.flex(
                    rx.input(
                        name="user",
                        placeholder="Email or sub",
                        aria_label="User",
                        default_value=AdminAuditState.user,
                        flex="2",
                        min_width="12rem",
                    ),
                    rx.input(
                        name="since",
                        type="date",
                        aria_label="From",
                        default_value=AdminAuditState.since,
                    ),
                    rx.input(
                        name="until",
                        type="date",
                        aria_label="To",
                        default_value=AdminAuditState.until,
                    ),
                    rx.button("Filter", type="submit"),
                    spacing="2",
                    wrap="wrap",
                    width="100%",
                ),
                on_submit=AdminAuditState.apply,
                width="100%",
            ),
            rx.select(
                AdminAuditState.types,
                value=AdminAuditState.event_type,
                on_change=AdminAuditState.set_event_type,
                custom_attrs={"aria-label": "Event type"},
            ),
            error_slot(AdminAuditState.error),
            events_table(AdminAuditState.rows),
            _pager(AdminAuditState),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )
