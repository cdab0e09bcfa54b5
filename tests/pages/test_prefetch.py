"""The sign-in and sign-up cards load the next page's code before the person goes there."""

from __future__ import annotations

import json
from typing import Any

import reflex as rx

from passkey_app import routes
from passkey_app.pages.login import login_page
from passkey_app.pages.signup import signup_page


def _prefetched(page: rx.Component) -> list[str]:
    """The ``page`` prop of every PrefetchPageLinks in the rendered tree, as JS."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("name") == "PrefetchPageLinks":
                found.extend(p for p in node.get("props", []) if p.startswith("page:"))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(page.render())
    return found


def test_the_sign_in_card_prefetches_where_the_person_goes_next() -> None:
    (prop,) = _prefetched(login_page())
    assert "next_path" in prop
    assert json.dumps(routes.ACCOUNT) in prop


def test_the_sign_up_card_prefetches_the_account_page() -> None:
    assert _prefetched(signup_page()) == [f"page:{json.dumps(routes.ACCOUNT)}"]
