"""Cognito sees the person, not the app's server: every sign-in call carries ContextData
with the client's address and user agent, as sent over the wire to the stand-in (which
accepts it, as Cognito does)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from passkey_app.services.audit import ClientInfo
from passkey_app.services.container import Services
from passkey_app.services.magic_links.store import LinkPurpose
from passkey_app.services.password.login import NewPasswordNeeded
from passkey_app.services.sessions.store import LoginSucceeded
from tests.conftest import CognitoFixture
from tests.services.flows import session_of
from tests.services.magic_links.support import MovableClock, build_links, sent_mail, verify_sender
from tests.support.authenticator import SoftAuthenticator

PERSON = ClientInfo(
    ip_address="203.0.113.77", user_agent="Mozilla/5.0 (X11) Chromium", path="/login"
)
EXPECTED = {
    "IpAddress": "203.0.113.77",
    "ServerName": "localhost",
    "ServerPath": "/login",
    "HttpHeaders": [{"headerName": "User-Agent", "headerValue": "Mozilla/5.0 (X11) Chromium"}],
}


@pytest.fixture
def wire(services: Services) -> list[tuple[str, dict[str, Any]]]:
    """(operation, body) of every sign-in call the gateway sends to Cognito."""
    sent: list[tuple[str, dict[str, Any]]] = []

    def capture(request: Any, event_name: str, **_: Any) -> None:
        sent.append((event_name.rsplit(".", 1)[-1], json.loads(request.body)))

    events = services.gateway.boto_client.meta.events
    for operation in ("AdminInitiateAuth", "AdminRespondToAuthChallenge"):
        events.register_first(f"before-send.cognito-idp.{operation}", capture)
    return sent


def test_a_password_sign_in_tells_cognito_who_is_signing_in(
    services: Services, cognito: CognitoFixture, wire: list[tuple[str, dict[str, Any]]]
) -> None:
    alice = cognito.user("alice@example.com")
    result = services.password_login.login(
        email=alice.email, password=alice.password, client=PERSON
    )
    assert isinstance(result, LoginSucceeded)
    assert [(operation, body.get("ContextData")) for operation, body in wire] == [
        ("AdminInitiateAuth", EXPECTED)
    ]


def test_a_new_password_answer_carries_it_too(
    services: Services, cognito: CognitoFixture, wire: list[tuple[str, dict[str, Any]]]
) -> None:
    carol = cognito.user("carol@example.com")
    step = services.password_login.login(email=carol.email, password=carol.password, client=PERSON)
    assert isinstance(step, NewPasswordNeeded)
    services.password_login.set_new_password(
        challenge=step.challenge,
        email=carol.email,
        new_password="Carol-chose-this-1",
        client=PERSON,
    )
    assert [(operation, body.get("ContextData")) for operation, body in wire] == [
        ("AdminInitiateAuth", EXPECTED),
        ("AdminRespondToAuthChallenge", EXPECTED),
    ]


def test_both_rounds_of_a_passkey_sign_in_carry_it(
    services: Services, wire: list[tuple[str, dict[str, Any]]]
) -> None:
    device = SoftAuthenticator()
    ceremony = services.passkey_signup.begin(email="pat@example.com", client=PERSON)
    _, created = device.create(ceremony.options)
    services.passkey_signup.finish(handle=ceremony.handle, response=created, client=PERSON)
    login = services.passkey_login.discoverable_options(client=PERSON)
    services.passkey_login.finish(
        handle=login.handle, response=device.get(login.options), client=PERSON
    )
    custom_auth = [("AdminInitiateAuth", "CUSTOM_AUTH"), ("AdminRespondToAuthChallenge", "")]
    assert [(operation, body.get("AuthFlow", "")) for operation, body in wire] == custom_auth * 2
    assert [body.get("ContextData") for _, body in wire] == [EXPECTED] * 4


def test_the_account_page_password_check_carries_it(
    services: Services, cognito: CognitoFixture, wire: list[tuple[str, dict[str, Any]]]
) -> None:
    alice = cognito.user("alice@example.com")
    login = services.password_login.login(email=alice.email, password=alice.password, client=PERSON)
    assert isinstance(login, LoginSucceeded)
    session_id, user = session_of(services, login)
    account_page = ClientInfo(ip_address="2001:db8::7", user_agent="Safari", path="/account")
    services.passkey_account.confirm_with_password(
        user=user, session_id=session_id, password=alice.password, client=account_page
    )
    assert wire[-1][1]["ContextData"] == {
        "IpAddress": "2001:db8::7",
        "ServerName": "localhost",
        "ServerPath": "/account",
        "HttpHeaders": [{"headerName": "User-Agent", "headerValue": "Safari"}],
    }


def test_no_context_is_invented_when_the_address_is_unknown(
    services: Services, cognito: CognitoFixture, wire: list[tuple[str, dict[str, Any]]]
) -> None:
    alice = cognito.user("alice@example.com")
    services.password_login.login(
        email=alice.email, password=alice.password, client=ClientInfo(ip_address="testclient")
    )
    assert [body.get("ContextData") for _, body in wire] == [None]


def test_an_email_link_sign_in_carries_it(
    services: Services, wire: list[tuple[str, dict[str, Any]]]
) -> None:
    verify_sender()
    links = build_links(services, MovableClock())
    binding = "context-browser-binding-value-0123456789"
    links.request(
        email="alice@example.com", purpose=LinkPurpose.LOGIN, binding=binding, client=PERSON
    )
    links.redeem(token=sent_mail()[0].token, binding=binding, confirmed=False, client=PERSON)
    assert [body.get("ContextData") for _, body in wire] == [EXPECTED] * 2
