"""The email-link routes over HTTP: the request binds the link to the browser, the link
in the mail leaves its token only in an HttpOnly cookie, and no Host header shapes it."""

from __future__ import annotations

import dataclasses

import pytest
from httpx import Response
from starlette.testclient import TestClient

from passkey_app import routes
from passkey_app.api.session import build_session_routes
from passkey_app.services.container import Services
from passkey_app.services.magic_links.store import digest
from tests.services.flows import audit_trail
from tests.services.magic_links.support import (
    LINK_PREFIX,
    MovableClock,
    build_links,
    sent_mail,
    verify_sender,
)

ORIGIN = "http://localhost:3000"
SENT_PAGE = f"{ORIGIN}{routes.MAGIC_LINK_SENT}"


@pytest.fixture
def linked(services: Services) -> Services:
    """The services with links sent synchronously, from https://id.example.com."""
    verify_sender()
    return dataclasses.replace(services, magic_links=build_links(services, MovableClock()))


@pytest.fixture
def http(linked: Services) -> TestClient:
    return TestClient(build_session_routes(lambda: linked), base_url="http://localhost:8000")


def _ask(http: TestClient, email: str, **headers: str) -> Response:
    return http.post(
        routes.API_MAGIC_LINK_REQUEST,
        data={"email": email},
        headers={"Origin": ORIGIN, **headers},
        follow_redirects=False,
    )


def test_a_request_binds_the_link_to_this_browser(http: TestClient, linked: Services) -> None:
    response = _ask(http, "alice@example.com", Host="evil.example")
    assert response.status_code == 303
    assert response.headers["location"] == SENT_PAGE
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("magic_link_binding=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Max-Age=900" in cookie
    binding = cookie.split(";")[0].split("=", 1)[1]
    [mail] = sent_mail()
    assert mail.link.startswith(LINK_PREFIX)  # from settings, never from the Host header
    with linked.engine.connect() as connection:
        stored = connection.exec_driver_sql("SELECT binding_hash FROM magic_link").scalar_one()
    assert stored == digest(binding)


def _binding_set(response: Response) -> str:
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("magic_link_binding=")
    return cookie.split(";")[0].split("=", 1)[1]


def test_asking_again_keeps_the_browsers_binding_and_its_code_row(
    http: TestClient, linked: Services
) -> None:
    first = _binding_set(_ask(http, "alice@example.com"))
    again = _binding_set(_ask(http, "alice@example.com"))
    assert again == first
    with linked.engine.connect() as connection:
        rows = connection.exec_driver_sql("SELECT binding_hash, email_hash FROM email_code").all()
    assert [tuple(row) for row in rows] == [(digest(first), digest("alice@example.com"))]


def test_a_garbled_binding_cookie_is_replaced(http: TestClient) -> None:
    http.cookies.set("magic_link_binding", "not a binding!")
    assert _binding_set(_ask(http, "alice@example.com")) != "not a binding!"


def test_known_and_unknown_addresses_get_the_same_response(http: TestClient) -> None:
    known, unknown = _ask(http, "alice@example.com"), _ask(http, "nobody@example.com")
    for response in (known, unknown):
        assert response.status_code == 303
        assert response.headers["location"] == SENT_PAGE
        assert response.content == b""
    assert [mail.to for mail in sent_mail()] == [["alice@example.com"]]


def test_a_request_from_another_origin_is_refused(http: TestClient, linked: Services) -> None:
    response = http.post(
        routes.API_MAGIC_LINK_REQUEST,
        data={"email": "alice@example.com"},
        headers={"Origin": "https://evil.example"},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert sent_mail() == [] and audit_trail(linked, "magic_link.request") == []


def test_too_many_requests_from_one_address_say_when_to_try_again(http: TestClient) -> None:
    for number in range(10):
        assert "problem" not in _ask(http, f"p{number}@example.com").headers["location"]
    response = _ask(http, "alice@example.com")
    assert response.status_code == 429
    assert response.headers["retry-after"] == "900"
    page = f"{SENT_PAGE}?problem=throttled&amp;retry=900"
    assert f'<meta http-equiv="refresh" content="0;url={page}">' in response.text
    assert "Too many attempts. Try again in 15 minutes." in response.text
    assert "set-cookie" not in response.headers


def test_the_mailed_address_moves_the_token_into_a_cookie_without_a_referrer(
    http: TestClient,
) -> None:
    _ask(http, "alice@example.com")
    token = sent_mail()[0].token
    response = http.get(f"{routes.API_MAGIC_LINK_OPEN}?token={token}", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"{ORIGIN}{routes.MAGIC_LINK_LANDING}"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["cache-control"] == "no-store"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"magic_link_token={token};")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie


def test_a_malformed_token_sets_no_cookie(http: TestClient) -> None:
    response = http.get(
        f"{routes.API_MAGIC_LINK_OPEN}?token=not%20a%20token", follow_redirects=False
    )
    assert response.headers["location"] == f"{ORIGIN}{routes.MAGIC_LINK_LANDING}"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["set-cookie"].startswith('magic_link_token="";')
