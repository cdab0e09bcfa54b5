"""The page table: a protected page is one page file plus one registration line, and its
guard runs first, on the server."""

from __future__ import annotations

import ast
from pathlib import Path

import reflex as rx

from passkey_app.auth import AuthState
from passkey_app.pages.registry import PUBLIC, SIGNED_IN, Page, group

APP_MODULE = Path(__file__).resolve().parents[2] / "passkey_app" / "passkey_app.py"


def reports_page() -> rx.Component:
    """A team's new page: one function in one file."""
    return rx.text("Reports")


class ReportsState(AuthState):
    """Its state, on the public base."""

    @rx.event
    def on_load(self) -> None:
        """Nothing to load."""


def _names(events: list[object]) -> list[str]:
    return [
        getattr(getattr(e, "fn", None), "__name__", None) or e.handler.fn.__name__ for e in events
    ]  # type: ignore[attr-defined]


def test_one_registration_line_guards_a_new_page() -> None:
    page = Page("/reports", reports_page, "Reports", [ReportsState.on_load], SIGNED_IN)
    assert _names(page.events()) == ["require_login", "on_load"]


def test_a_group_page_checks_the_group_first() -> None:
    page = Page("/admin/reports", reports_page, "Reports", [ReportsState.on_load], group("admin"))
    first, second = page.events()
    assert first.handler.fn.__name__ == "require_group"  # type: ignore[attr-defined]
    assert next(value for _, value in first.args)._js_expr == '"admin"'  # type: ignore[attr-defined]
    assert _names([second]) == ["on_load"]


def test_a_public_page_only_settles_whose_tab_it_is() -> None:
    page = Page("/about", reports_page, "About", [ReportsState.on_load], PUBLIC)
    assert _names(page.events()) == ["settle_person", "on_load"]


def test_the_app_registers_every_page_through_the_table_and_guards_account_and_admin() -> None:
    tree = ast.parse(APP_MODULE.read_text())
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)]
    assert not [c for c in calls if getattr(c.func, "attr", "") == "add_page"]
    pages = [c for c in calls if getattr(c.func, "id", "") == "Page"]
    access = {
        ast.unparse(c.args[0]): ast.unparse(c.args[4]) if len(c.args) > 4 else "PUBLIC"
        for c in pages
    }
    assert access["routes.ACCOUNT"] == "SIGNED_IN"
    assert access["routes.EXAMPLE_ORDERS"] == "SIGNED_IN"
    assert {access[f"routes.{name}"] for name in ("ADMIN", "ADMIN_USER", "ADMIN_AUDIT")} == {
        "ADMIN"
    }
    assert access["routes.LOGIN"] == "PUBLIC"
