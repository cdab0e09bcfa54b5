"""The cookie routes and the origin guard, over real HTTP semantics (Starlette's client)."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.testclient import TestClient
from starlette.websockets import WebSocket, WebSocketDisconnect

from passkey_app import routes
from passkey_app.api.session import OriginGuard, build_session_routes
from passkey_app.services.audit import ClientInfo
from passkey_app.services.container import Services
from passkey_app.services.password.login import LoginSucceeded
from tests.conftest import CognitoFixture

ORIGIN = "http://localhost:3000"


@pytest.fixture
def http(services: Services) -> TestClient:
    return TestClient(build_session_routes(lambda: services), base_url="http://localhost:8000")


def _handoff(services: Services, cognito: CognitoFixture) -> str:
    alice = cognito.user("alice@example.com")
    result = services.password_login.login(
        email=alice.email, password=alice.password, client=ClientInfo()
    )
    assert isinstance(result, LoginSucceeded)
    return result.handoff_code


def test_activation_sets_an_httponly_lax_cookie_and_names_the_account_page(
    http: TestClient, services: Services, cognito: CognitoFixture
) -> None:
    response = http.post(
        routes.API_SESSION_ACTIVATE,
        data={"code": _handoff(services, cognito)},
        headers={"Origin": ORIGIN, "Accept": "application/json"},
        follow_redirects=False,
    )
    assert response.status_code == 200
    assert response.json() == {"next": routes.ACCOUNT}
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("passkey_session=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert response.headers["cache-control"] == "no-store"
    session_id = cookie.split(";")[0].split("=", 1)[1]
    assert services.sessions.current(session_id) is not None


def test_reused_code_sets_no_cookie(
    http: TestClient, services: Services, cognito: CognitoFixture
) -> None:
    code = _handoff(services, cognito)
    http.post(
        routes.API_SESSION_ACTIVATE,
        data={"code": code},
        headers={"Origin": ORIGIN},
        follow_redirects=False,
    )
    again = http.post(
        routes.API_SESSION_ACTIVATE,
        data={"code": code},
        headers={"Origin": ORIGIN},
        follow_redirects=False,
    )
    assert again.status_code == 400
    assert again.json() == {"error": "expired"}
    assert "set-cookie" not in again.headers


@pytest.mark.parametrize("headers", [{"Origin": "https://evil.example"}, {}])
def test_foreign_or_missing_origin_is_forbidden(
    http: TestClient, services: Services, cognito: CognitoFixture, headers: dict[str, str]
) -> None:
    code = _handoff(services, cognito)
    response = http.post(routes.API_SESSION_ACTIVATE, data={"code": code}, headers=headers)
    assert response.status_code == 403
    assert "set-cookie" not in response.headers
    logout = http.post(routes.API_SESSION_LOGOUT, headers=headers)
    assert logout.status_code == 403


def test_logout_ends_the_session_and_clears_the_cookie(
    http: TestClient, services: Services, cognito: CognitoFixture
) -> None:
    activated = http.post(
        routes.API_SESSION_ACTIVATE,
        data={"code": _handoff(services, cognito)},
        headers={"Origin": ORIGIN},
        follow_redirects=False,
    )
    session_id = activated.cookies["passkey_session"]
    response = http.post(
        routes.API_SESSION_LOGOUT,
        headers={"Origin": ORIGIN, "Cookie": f"passkey_session={session_id}"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"{ORIGIN}{routes.LOGIN}?signed_out=1"
    assert 'passkey_session=""' in response.headers["set-cookie"]
    assert services.sessions.current(session_id) is None


def _guarded_app() -> OriginGuard:
    async def echo(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text("hello")
        await websocket.close()

    async def page(_request: Request) -> Response:
        return PlainTextResponse("page")

    return OriginGuard(
        Starlette(routes=[WebSocketRoute("/_event", echo), Route("/page", page)]),
        lambda: [ORIGIN],
    )


def test_origin_guard_refuses_a_foreign_websocket() -> None:
    client = TestClient(_guarded_app())
    with (
        pytest.raises(WebSocketDisconnect) as refused,
        client.websocket_connect("/_event", headers={"Origin": "https://evil.example"}),
    ):
        pass
    assert refused.value.code == 1008


def test_origin_guard_refuses_a_websocket_handshake_without_origin() -> None:
    client = TestClient(_guarded_app())
    with pytest.raises(WebSocketDisconnect) as refused, client.websocket_connect("/_event"):
        pass
    assert refused.value.code == 1008


def test_origin_guard_lets_a_navigation_without_origin_through() -> None:
    response = TestClient(_guarded_app()).get("/page")
    assert (response.status_code, response.text) == (200, "page")


def test_origin_guard_lets_the_app_origin_in() -> None:
    client = TestClient(_guarded_app())
    with client.websocket_connect("/_event", headers={"Origin": ORIGIN}) as websocket:
        assert websocket.receive_text() == "hello"


def test_origin_guard_refuses_foreign_http() -> None:
    client = TestClient(_guarded_app())
    assert client.get("/_event", headers={"Origin": "https://evil.example"}).status_code == 403
