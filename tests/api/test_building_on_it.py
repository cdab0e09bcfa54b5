"""The platform's HTTP surface for a team: the return after sign-in, ``/api/session/me``
and the backend-for-frontend proxy, over real HTTP semantics against the moto pool and a
real upstream app that checks tokens against the pool's JWKS."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import httpx
import pytest
import requests
from starlette.testclient import TestClient

from passkey_app import routes
from passkey_app.api.session import OriginGuard, build_session_routes
from passkey_app.services.audit import ClientInfo
from passkey_app.services.container import Services
from passkey_app.services.password.login import LoginSucceeded
from passkey_app.services.upstream import MAX_REQUEST_BODY_BYTES, UpstreamClient
from tests.conftest import CognitoFixture
from tests.support.upstream import ORDERS, TeamApi

ORIGIN = "http://localhost:3000"
UPSTREAM = "http://orders.localhost/v1"


@pytest.fixture
def team_api(services: Services) -> TeamApi:
    jwks = requests.get(services.pool.jwks_url, timeout=5).json()
    return TeamApi(jwks=jwks, issuer=services.pool.issuer, client_id=services.pool.client_id)


@pytest.fixture
def platform(services: Services, team_api: TeamApi) -> Services:
    """The services with the team's API configured as the upstream "orders"."""
    return dataclasses.replace(
        services,
        upstreams=UpstreamClient(
            upstreams={"orders": UPSTREAM}, transport=httpx.ASGITransport(app=team_api.app)
        ),
    )


@pytest.fixture
def http(platform: Services) -> Iterator[TestClient]:
    app = OriginGuard(build_session_routes(lambda: platform), lambda: [ORIGIN])
    with TestClient(app, base_url="http://localhost:8000") as client:
        yield client


def _signed_in(http: TestClient, services: Services, cognito: CognitoFixture) -> str:
    alice = cognito.user("alice@example.com")
    login = services.password_login.login(
        email=alice.email, password=alice.password, client=ClientInfo()
    )
    assert isinstance(login, LoginSucceeded)
    response = http.post(
        routes.API_SESSION_ACTIVATE,
        data={"code": login.handoff_code},
        headers={"Origin": ORIGIN},
        follow_redirects=False,
    )
    return response.cookies["passkey_session"]


@pytest.mark.parametrize(
    ("next_path", "landing"),
    [
        ("/examples/orders?tab=open", "/examples/orders?tab=open"),
        ("//evil.example/", routes.ACCOUNT),
        ("/\\evil.example", routes.ACCOUNT),
        ("https://evil.example/", routes.ACCOUNT),
        ("/%2F%2Fevil.example", routes.ACCOUNT),
        ("/account\r\nSet-Cookie: a=b", routes.ACCOUNT),
        ("/" + "a" * 2048, routes.ACCOUNT),
    ],
)
def test_the_cookie_route_returns_the_person_only_to_a_safe_path(
    http: TestClient, services: Services, cognito: CognitoFixture, next_path: str, landing: str
) -> None:
    alice = cognito.user("alice@example.com")
    login = services.password_login.login(
        email=alice.email, password=alice.password, client=ClientInfo()
    )
    assert isinstance(login, LoginSucceeded)
    response = http.post(
        routes.API_SESSION_ACTIVATE,
        data={"code": login.handoff_code, "next": next_path},
        headers={"Origin": ORIGIN},
        follow_redirects=False,
    )
    assert response.status_code == 200
    assert response.json() == {"next": landing}


def test_me_says_who_is_signed_in_and_nothing_more(
    http: TestClient, services: Services, cognito: CognitoFixture
) -> None:
    session_id = _signed_in(http, services, cognito)
    response = http.get(routes.API_SESSION_ME, cookies={"passkey_session": session_id})
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    user = services.sessions.current(session_id)
    assert user is not None
    assert set(body) == {"sub", "email", "groups", "method", "expires_at"}
    assert (body["sub"], body["email"], body["groups"], body["method"]) == (
        user.sub,
        "alice@example.com",
        [],
        "password",
    )
    assert "ey" not in response.text  # no token of any kind


def test_me_without_a_session_is_401(http: TestClient) -> None:
    for cookies in ({}, {"passkey_session": "not-a-session"}):
        response = http.get(routes.API_SESSION_ME, cookies=cookies)
        assert response.status_code == 401
        assert response.headers["cache-control"] == "no-store"


def test_me_from_another_site_is_refused(http: TestClient) -> None:
    response = http.get(routes.API_SESSION_ME, headers={"Origin": "https://evil.example"})
    assert response.status_code == 403


def test_the_proxy_reads_the_teams_api_as_the_person(
    http: TestClient, services: Services, cognito: CognitoFixture, team_api: TeamApi
) -> None:
    session_id = _signed_in(http, services, cognito)
    response = http.get(
        f"{routes.API_UPSTREAM}/orders/orders", cookies={"passkey_session": session_id}
    )
    assert response.status_code == 200
    assert response.json()["orders"] == ORDERS
    assert response.headers["cache-control"] == "no-store"


def test_the_proxy_sends_no_cookie_and_hands_back_none(
    http: TestClient, services: Services, cognito: CognitoFixture, team_api: TeamApi
) -> None:
    session_id = _signed_in(http, services, cognito)
    response = http.post(
        f"{routes.API_UPSTREAM}/orders/echo?x=1",
        cookies={"passkey_session": session_id},
        headers={"Origin": ORIGIN, "Connection": "X-Hop", "X-Hop": "1"},
        content=b"hello",
    )
    assert response.status_code == 200
    assert response.json()["body"] == "hello" and response.json()["query"] == "x=1"
    [seen] = team_api.seen_headers
    assert "cookie" not in seen and "x-hop" not in seen
    assert "set-cookie" not in response.headers


@pytest.mark.parametrize(
    ("method", "path", "headers", "content", "status"),
    [
        ("GET", "/orders/orders", {}, b"", 401),
        ("GET", "/billing/orders", {}, b"", 404),
        ("TRACE", "/orders/orders", {"Origin": ORIGIN}, b"", 405),
        ("POST", "/orders/echo", {}, b"x", 403),
        ("POST", "/orders/echo", {"Origin": "https://evil.example"}, b"x", 403),
        ("GET", "/orders/orders", {"Sec-Fetch-Site": "cross-site"}, b"", 403),
        ("GET", "/orders/orders", {"Sec-Fetch-Site": "same-site"}, b"", 403),
        ("POST", "/orders/echo", {"Origin": ORIGIN}, b"x" * (MAX_REQUEST_BODY_BYTES + 1), 413),
        ("GET", "/orders/..%2F..%2Felsewhere/secret", {}, b"", 400),
    ],
)
def test_the_proxy_refuses_what_it_must(
    http: TestClient,
    services: Services,
    cognito: CognitoFixture,
    method: str,
    path: str,
    headers: dict[str, str],
    content: bytes,
    status: int,
) -> None:
    cookies = {} if status == 401 else {"passkey_session": _signed_in(http, services, cognito)}
    response = http.request(
        method, f"{routes.API_UPSTREAM}{path}", headers=headers, content=content, cookies=cookies
    )
    assert response.status_code == status


def test_a_401_from_the_team_api_gets_one_refresh_and_one_retry(
    http: TestClient, services: Services, cognito: CognitoFixture, team_api: TeamApi
) -> None:
    session_id = _signed_in(http, services, cognito)
    response = http.get(
        f"{routes.API_UPSTREAM}/orders/first-token-expired",
        cookies={"passkey_session": session_id},
    )
    assert response.status_code == 200
    assert len(team_api.tokens_seen) == 2
