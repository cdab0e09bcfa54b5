"""Flow 1 against the moto pool: password login, its failures and NEW_PASSWORD_REQUIRED."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from passkey_app.models import AuditEvent, BrowserSession
from passkey_app.services.audit import ClientInfo
from passkey_app.services.container import Services
from passkey_app.services.errors import MESSAGES, AuthError, AuthFailure
from passkey_app.services.password.login import NewPasswordNeeded
from passkey_app.services.sessions.store import LoginSucceeded
from tests.conftest import CognitoFixture

CLIENT = ClientInfo(ip_address="203.0.113.9", user_agent="pytest")


def test_seeded_user_signs_in_and_gets_a_pending_session(
    services: Services, cognito: CognitoFixture
) -> None:
    alice = cognito.user("alice@example.com")
    result = services.password_login.login(
        email=alice.email, password=alice.password, client=CLIENT
    )
    assert isinstance(result, LoginSucceeded)
    with Session(services.engine) as db:
        row = db.exec(select(BrowserSession)).one()
    assert row.email == alice.email
    assert row.token_hash is None and row.handoff_hash is not None
    assert result.handoff_code not in row.encrypted_tokens
    # No readable JWT at rest: no token, nor any of its dot-separated parts (the JSON
    # header alone, "eyJ...", may appear in ciphertext by chance, so it proves nothing).
    tokens = services.sessions._cipher.open(row.encrypted_tokens)
    assert tokens is not None
    for token in (tokens.id_token, tokens.access_token, tokens.refresh_token or ""):
        for part in token.split("."):
            assert len(part) < 16 or part not in row.encrypted_tokens


def test_email_is_normalised_before_it_reaches_cognito(
    services: Services, cognito: CognitoFixture
) -> None:
    alice = cognito.user("alice@example.com")
    result = services.password_login.login(
        email="  ALICE@Example.com ", password=alice.password, client=CLIENT
    )
    assert isinstance(result, LoginSucceeded)


def test_unknown_email_and_wrong_password_fail_the_same_way(
    services: Services, cognito: CognitoFixture
) -> None:
    with pytest.raises(AuthError) as wrong_password:
        services.password_login.login(
            email="alice@example.com", password="Nope-nope-1", client=CLIENT
        )
    with pytest.raises(AuthError) as unknown_email:
        services.password_login.login(
            email="nobody@example.com", password="Nope-nope-1", client=CLIENT
        )
    assert wrong_password.value.failure is AuthFailure.INVALID_CREDENTIALS
    assert unknown_email.value.failure is AuthFailure.INVALID_CREDENTIALS
    assert wrong_password.value.user_message == unknown_email.value.user_message
    assert wrong_password.value.user_message == MESSAGES[AuthFailure.INVALID_CREDENTIALS]


@pytest.mark.parametrize(
    ("email", "password"),
    [("not-an-email", "Whatever-1"), ("alice@example.com", ""), ("alice@example.com", "x" * 257)],
)
def test_malformed_input_is_refused_before_cognito(
    services: Services, email: str, password: str
) -> None:
    with pytest.raises(AuthError) as refused:
        services.password_login.login(email=email, password=password, client=CLIENT)
    assert refused.value.failure is AuthFailure.INVALID_CREDENTIALS


def test_failures_are_audited_without_the_password(services: Services) -> None:
    with pytest.raises(AuthError):
        services.password_login.login(
            email="alice@example.com", password="Secret-guess-42", client=CLIENT
        )
    with Session(services.engine) as db:
        event = db.exec(select(AuditEvent)).one()
    assert (event.event_type, event.outcome, event.email) == (
        "login.password",
        "failure",
        "alice@example.com",
    )
    assert event.ip_address == "203.0.113.9"
    assert "Secret-guess-42" not in f"{event.detail}{event.user_agent}"


def test_disabled_user_gets_the_generic_message(
    services: Services, cognito: CognitoFixture
) -> None:
    bob = cognito.user("bob@example.com")
    cognito.client.admin_disable_user(UserPoolId=cognito.pool.user_pool_id, Username=bob.email)
    with pytest.raises(AuthError) as refused:
        services.password_login.login(email=bob.email, password=bob.password, client=CLIENT)
    assert refused.value.failure is AuthFailure.INVALID_CREDENTIALS


def test_temporary_password_asks_for_a_new_one_then_signs_in(
    services: Services, cognito: CognitoFixture
) -> None:
    carol = cognito.user("carol@example.com")
    first = services.password_login.login(email=carol.email, password=carol.password, client=CLIENT)
    assert isinstance(first, NewPasswordNeeded)
    done = services.password_login.set_new_password(
        challenge=first.challenge,
        email=carol.email,
        new_password="Carol-own-pass-2",
        client=CLIENT,
    )
    assert isinstance(done, LoginSucceeded)
    again = services.password_login.login(
        email=carol.email, password="Carol-own-pass-2", client=CLIENT
    )
    assert isinstance(again, LoginSucceeded)
