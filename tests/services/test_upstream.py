"""Calls to the team's APIs with the person's access token, against a real upstream app
that checks the token against the pool's JWKS."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import httpx
import pytest
import requests

from passkey_app.services.container import Services
from passkey_app.services.upstream import (
    MAX_REQUEST_BODY_BYTES,
    UpstreamClient,
    UpstreamError,
    UpstreamFailure,
    forwarded_headers,
    upstream_url,
)
from passkey_app.settings import Settings, parse_upstreams
from tests.services.flows import CLIENT, session_of
from tests.support.run_async import run_async
from tests.support.upstream import ORDERS, TeamApi

BASE = "http://orders.localhost/v1"


@pytest.fixture
def upstream(services: Services) -> TeamApi:
    jwks = requests.get(services.pool.jwks_url, timeout=5).json()
    return TeamApi(jwks=jwks, issuer=services.pool.issuer, client_id=services.pool.client_id)


@pytest.fixture
def client(upstream: TeamApi) -> Iterator[UpstreamClient]:
    built = UpstreamClient(
        upstreams={"orders": BASE},
        timeout=1.0,
        transport=httpx.ASGITransport(app=upstream.app),
    )
    yield built
    run_async(built.close())


@pytest.fixture
def session_id(services: Services, cognito: object) -> str:
    login = services.password_login.login(
        email="alice@example.com", password="Alice-demo-pass-1", client=CLIENT
    )
    return session_of(services, login)[0]  # type: ignore[arg-type]


def _token(services: Services, session_id: str):  # type: ignore[no-untyped-def]
    async def give(refresh: bool) -> str | None:
        return await asyncio.to_thread(
            services.sessions.access_token, session_id, force_refresh=refresh
        )

    return give


def test_the_upstream_sees_the_persons_token_and_nothing_of_the_browser(
    services: Services, client: UpstreamClient, upstream: TeamApi, session_id: str
) -> None:
    response = run_async(
        client.call(
            name="orders",
            method="POST",
            path="echo",
            query="page=2",
            token=_token(services, session_id),
            headers={
                "Cookie": "passkey_session=secret-session-id",
                "Authorization": "Bearer forged",
                "Connection": "X-Private",
                "X-Private": "hop",
                "Keep-Alive": "timeout=5",
                "Content-Type": "application/json",
                "X-Request-Id": "r-1",
            },
            body=b'{"note": "hi"}',
        )
    )
    assert response.status == 200
    answer = json.loads(response.body)
    user = services.sessions.current(session_id)
    assert user is not None
    assert answer == {
        "method": "POST",
        "query": "page=2",
        "body": '{"note": "hi"}',
        "sub": user.sub,
    }
    [seen] = upstream.seen_headers
    assert "cookie" not in seen and "x-private" not in seen and "keep-alive" not in seen
    assert seen["authorization"].startswith("Bearer ey") and seen["x-request-id"] == "r-1"
    assert all(key.lower() != "set-cookie" for key, _ in response.headers)


def test_a_server_side_call_reads_the_data(
    services: Services, client: UpstreamClient, session_id: str
) -> None:
    response = run_async(
        client.call(name="orders", method="GET", path="orders", token=_token(services, session_id))
    )
    assert response.json() == {"owner": services.sessions.current(session_id).sub, "orders": ORDERS}  # type: ignore[union-attr]


def test_a_401_gets_one_refresh_and_one_retry(
    services: Services, client: UpstreamClient, upstream: TeamApi, session_id: str
) -> None:
    response = run_async(
        client.call(
            name="orders",
            method="GET",
            path="first-token-expired",
            token=_token(services, session_id),
        )
    )
    assert response.status == 200
    assert len(upstream.tokens_seen) == 2 and upstream.tokens_seen[0] != upstream.tokens_seen[1]


def test_without_a_session_nothing_is_sent(client: UpstreamClient, upstream: TeamApi) -> None:
    async def none(refresh: bool) -> str | None:
        return None

    with pytest.raises(UpstreamError) as refused:
        run_async(client.call(name="orders", method="GET", path="orders", token=none))
    assert refused.value.failure is UpstreamFailure.SIGNED_OUT and refused.value.status == 401
    assert upstream.tokens_seen == []


def test_the_upstream_refuses_a_token_it_cannot_verify(
    client: UpstreamClient, upstream: TeamApi
) -> None:
    async def forged(refresh: bool) -> str | None:
        return "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"

    response = run_async(client.call(name="orders", method="GET", path="orders", token=forged))
    assert response.status == 401 and len(upstream.tokens_seen) == 2


@pytest.mark.parametrize(
    ("name", "method", "path", "body", "failure"),
    [
        ("billing", "GET", "orders", b"", UpstreamFailure.UNKNOWN_UPSTREAM),
        ("orders", "TRACE", "orders", b"", UpstreamFailure.METHOD_NOT_ALLOWED),
        ("orders", "CONNECT", "orders", b"", UpstreamFailure.METHOD_NOT_ALLOWED),
        ("orders", "GET", "../elsewhere/secret", b"", UpstreamFailure.BAD_PATH),
        ("orders", "GET", "%2e%2e/elsewhere/secret", b"", UpstreamFailure.BAD_PATH),
        ("orders", "GET", "%252e%252e/elsewhere/secret", b"", UpstreamFailure.BAD_PATH),
        ("orders", "GET", "a\\..\\b", b"", UpstreamFailure.BAD_PATH),
        ("orders", "GET", "orders\r\nX: y", b"", UpstreamFailure.BAD_PATH),
        ("orders", "POST", "echo", b"x" * (MAX_REQUEST_BODY_BYTES + 1), UpstreamFailure.TOO_LARGE),
        ("orders", "GET", "slow", b"", UpstreamFailure.TIMEOUT),
    ],
)
def test_calls_outside_the_caps_are_refused(
    services: Services,
    client: UpstreamClient,
    session_id: str,
    name: str,
    method: str,
    path: str,
    body: bytes,
    failure: UpstreamFailure,
) -> None:
    with pytest.raises(UpstreamError) as refused:
        run_async(
            client.call(
                name=name,
                method=method,
                path=path,
                body=body,
                token=_token(services, session_id),
            )
        )
    assert refused.value.failure is failure


def test_a_redirect_is_handed_back_not_followed(
    services: Services, client: UpstreamClient, session_id: str
) -> None:
    response = run_async(
        client.call(name="orders", method="GET", path="moved", token=_token(services, session_id))
    )
    assert response.status == 302
    assert dict(response.headers)["location"] == "https://elsewhere.example/steal"


def test_an_unreachable_upstream_is_a_502(services: Services, session_id: str) -> None:
    dead = UpstreamClient(upstreams={"orders": "http://127.0.0.1:9/v1"}, timeout=1.0)
    with pytest.raises(UpstreamError) as refused:
        run_async(
            dead.call(name="orders", method="GET", path="x", token=_token(services, session_id))
        )
    assert refused.value.status == 502


def test_the_path_stays_under_the_base() -> None:
    assert upstream_url(BASE, "orders/42") == f"{BASE}/orders/42"
    assert upstream_url(BASE, "/orders") == f"{BASE}/orders"


def test_headers_named_by_connection_are_dropped_too() -> None:
    assert forwarded_headers(
        [("Connection", "close, X-Secret"), ("X-Secret", "1"), ("A", "b")]
    ) == [("A", "b")]


@pytest.mark.parametrize(
    "upstreams",
    [
        {"Orders": "https://api.example.com"},
        {"orders": "http://api.example.com"},
        {"orders": "ftp://api.example.com"},
        {"orders": "https://api.example.com/v1?key=1"},
        {"orders": "/v1"},
    ],
)
def test_bad_upstream_settings_are_refused(upstreams: dict[str, str]) -> None:
    with pytest.raises(ValueError):
        parse_upstreams(upstreams)
    with pytest.raises(ValueError):
        Settings(api_upstreams=upstreams)


def test_upstream_settings_are_read_from_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PASSKEY_API_UPSTREAMS", '{"orders": "https://api.example.com/v1/"}')
    assert Settings().api_upstreams == {"orders": "https://api.example.com/v1"}
