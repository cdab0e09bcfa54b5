"""After a deletion the browser posts to the sign-out route with ``then=deleted``: its
cookie is cleared and it lands on the "account deleted" page; nothing else is accepted
as a destination."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from passkey_app import routes
from passkey_app.api.session import build_session_routes
from passkey_app.services.container import Services
from tests.conftest import CognitoFixture
from tests.services.flows import CLIENT, password_session

ORIGIN = "http://localhost:3000"


@pytest.fixture
def http(services: Services) -> TestClient:
    return TestClient(build_session_routes(lambda: services), base_url="http://localhost:8000")


def test_a_deleted_accounts_browser_is_signed_out_onto_the_deleted_page(
    http: TestClient, services: Services, cognito: CognitoFixture
) -> None:
    session_id, user = password_session(services, cognito, "alice@example.com")
    services.account_deletion.delete(user=user, confirmation=user.email, client=CLIENT)
    response = http.post(
        routes.API_SESSION_LOGOUT,
        data={"then": "deleted"},
        headers={"Origin": ORIGIN, "Cookie": f"passkey_session={session_id}"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"{ORIGIN}{routes.ACCOUNT_DELETED}"
    assert 'passkey_session=""' in response.headers["set-cookie"]


@pytest.mark.parametrize("then", ["https://evil.example/", "//evil.example", "login", ""])
def test_any_other_destination_is_the_usual_signed_out_page(http: TestClient, then: str) -> None:
    response = http.post(
        routes.API_SESSION_LOGOUT,
        data={"then": then},
        headers={"Origin": ORIGIN},
        follow_redirects=False,
    )
    assert response.headers["location"] == f"{ORIGIN}{routes.LOGIN}?signed_out=1"
