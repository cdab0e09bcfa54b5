"""The return path after sign-in: only same-origin relative paths are followed."""

from __future__ import annotations

import pytest

from passkey_app import routes
from passkey_app.services.return_path import (
    MAX_RETURN_PATH_LENGTH,
    login_url,
    safe_return_path,
)


@pytest.mark.parametrize(
    "path",
    [
        "/orders",
        "/orders/42?tab=items&sort=desc",
        "/account",
        "/admin/user?sub=2f1b0c7e-0000-4000-8000-000000000000",
        "/reports/2026%2F11",
        "/caf%C3%A9",
        "/search?q=a%20b#results",
    ],
)
def test_a_same_origin_path_is_followed(path: str) -> None:
    assert safe_return_path(path) == path


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("protocol-relative host", "//evil.example"),
        ("protocol-relative with path", "//evil.example/account"),
        ("backslash host", "/\\evil.example"),
        ("backslash anywhere", "/a\\b"),
        ("absolute https", "https://evil.example/account"),
        ("javascript scheme", "javascript:alert(1)"),
        ("data scheme", "data:text/html,hi"),
        ("no leading slash", "evil.example"),
        ("encoded double slash", "/%2Fevil.example"),
        ("encoded both slashes", "%2F%2Fevil.example"),
        ("encoded backslash", "/%5Cevil.example"),
        ("double-encoded slash", "/%252Fevil.example"),
        ("triple-encoded slash", "/%25252Fevil.example"),
        ("endlessly encoded", "/%2525252525252F"),
        ("newline", "/account\nSet-Cookie: x=1"),
        ("carriage return", "/account\r"),
        ("tab", "/\t/evil.example"),
        ("nul", "/account\x00"),
        ("encoded newline", "/account%0d%0aSet-Cookie:%20x=1"),
        ("delete character", "/account\x7f"),
        ("too long", "/" + "a" * MAX_RETURN_PATH_LENGTH),
        ("empty", ""),
        ("the login page", "/login"),
        ("the login page again", "/login/?next=/login"),
        ("the sign-up page", "/signup"),
        ("an API route", "/api/session/logout"),
        ("Reflex internals", "/_event"),
    ],
)
def test_anything_else_goes_to_the_account_page(name: str, path: str) -> None:
    assert safe_return_path(path) == routes.ACCOUNT, name


def test_a_non_string_goes_to_the_account_page() -> None:
    assert safe_return_path(None) == routes.ACCOUNT
    assert safe_return_path(["/orders"]) == routes.ACCOUNT


def test_the_longest_allowed_path_is_followed() -> None:
    path = "/" + "a" * (MAX_RETURN_PATH_LENGTH - 1)
    assert safe_return_path(path) == path


def test_the_login_url_carries_a_safe_path_only() -> None:
    assert login_url("/orders/42?tab=items") == "/login?next=/orders/42%3Ftab%3Ditems"
    assert login_url("//evil.example") == "/login"
    assert login_url("/login") == "/login"
