"""An example of a team's own protected page: one file plus one line in the page table.
It shows data from the team's API, fetched on the server with the person's token."""

from __future__ import annotations

import reflex as rx

from passkey_app import routes
from passkey_app.components.forms import error_slot
from passkey_app.components.layout import card, page_shell
from passkey_app.state.examples.orders import OrdersState


def _row(order: dict[str, str]) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(order["id"]),
        rx.table.cell(order["item"]),
        rx.table.cell(order["quantity"], text_align="right"),
    )


def orders_page() -> rx.Component:
    """Your orders, from the team's API."""
    return page_shell(
        card(
            rx.heading("Your orders", size="6", as_="h1"),
            rx.text(
                "Read from your organisation's API with your sign-in, on the server.",
                size="2",
                color=rx.color("gray", 11),
            ),
            error_slot(OrdersState.error),
            rx.cond(
                OrdersState.loaded,
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            rx.table.column_header_cell("Order"),
                            rx.table.column_header_cell("Item"),
                            rx.table.column_header_cell("Qty", text_align="right"),
                        )
                    ),
                    rx.table.body(rx.foreach(OrdersState.orders, _row)),
                    width="100%",
                    data_testid="orders-table",
                ),
                rx.cond(OrdersState.error == "", rx.skeleton(rx.box(height="6rem", width="100%"))),
            ),
        ),
        actions=[rx.link("Your account", href=routes.ACCOUNT, size="2")],
    )
