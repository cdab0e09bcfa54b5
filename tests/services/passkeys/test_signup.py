"""Flow 2 against a moto pool with our CUSTOM_AUTH extension: the sign-up saga."""

from __future__ import annotations

import json
import secrets

import pytest
from sqlmodel import select

from lambdas.config import get_config
from passkey_app.db import session_scope
from passkey_app.models import PasskeyCredential, WebAuthnUser
from passkey_app.services.container import Services
from passkey_app.services.errors import AuthError, AuthFailure
from passkey_app.services.passkeys.signup import random_password
from passkey_app.services.webauthn.errors import PasskeyRejectedError, RejectReason
from tests.conftest import PROOF_KEY_ID, CognitoFixture
from tests.services.flows import CLIENT, audit_trail, session_of, sign_up
from tests.support.authenticator import SoftAuthenticator, b64url

NEW = "new-person@example.com"


def _rows(services: Services) -> tuple[int, int]:
    with session_scope(services.engine) as db:
        users = len(db.exec(select(WebAuthnUser)).all())
        passkeys = len(db.exec(select(PasskeyCredential)).all())
    return users, passkeys


def _cognito_attributes(cognito: CognitoFixture, email: str) -> dict[str, str]:
    user = cognito.client.admin_get_user(UserPoolId=cognito.pool.user_pool_id, Username=email)
    return {item["Name"]: item["Value"] for item in user["UserAttributes"]}


def test_sign_up_creates_the_account_and_signs_in(
    services: Services, cognito: CognitoFixture
) -> None:
    login = sign_up(services, SoftAuthenticator(), NEW)
    _, user = session_of(services, login)
    assert user.email == NEW and user.auth_method == "passkey"
    attributes = _cognito_attributes(cognito, NEW)
    assert attributes["custom:createdByPasskey"] == "true"
    assert attributes["email_verified"] == "false"
    with session_scope(services.engine) as db:
        owner = db.exec(select(WebAuthnUser)).one()
        assert owner.created_by_passkey and owner.user_sub == user.sub
    assert _rows(services) == (1, 1)
    assert audit_trail(services, "signup.passkey") == [("success", "")]
    assert audit_trail(services, "passkey.register") == [("success", "signup")]


def test_the_random_password_is_strong_and_never_the_same() -> None:
    first, second = random_password(), random_password()
    assert first != second and len(first) >= 43 + 4


def test_an_existing_email_takes_no_account_and_leaves_nothing(
    services: Services, cognito: CognitoFixture
) -> None:
    with pytest.raises(AuthError) as raised:
        sign_up(services, SoftAuthenticator(), "alice@example.com")
    assert raised.value.failure is AuthFailure.SIGNUP_NOT_COMPLETED
    assert raised.value.user_message == AuthError(AuthFailure.SIGNUP_NOT_COMPLETED).user_message
    assert audit_trail(services, "signup.passkey") == [("failure", "account_exists")]
    assert _rows(services) == (0, 0)
    assert "custom:createdByPasskey" not in _cognito_attributes(cognito, "alice@example.com")
    assert services.password_login.login(
        email="alice@example.com",
        password=cognito.user("alice@example.com").password,
        client=CLIENT,
    )


def test_a_rejected_passkey_creates_no_cognito_user(
    services: Services, cognito: CognitoFixture
) -> None:
    ceremony = services.passkey_signup.begin(email=NEW, client=CLIENT)
    _, response = SoftAuthenticator().create(ceremony.options, uv=False)
    with pytest.raises(PasskeyRejectedError) as raised:
        services.passkey_signup.finish(handle=ceremony.handle, response=response, client=CLIENT)
    assert raised.value.reason is RejectReason.USER_NOT_VERIFIED
    assert services.gateway.find_user(email=NEW) is None
    assert audit_trail(services, "signup.passkey") == [("failure", "user_not_verified")]


def test_a_failed_session_mint_undoes_the_cognito_user_and_the_passkey(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The triggers now trust another key: the app's proof no longer verifies.
    other = json.dumps({PROOF_KEY_ID: b64url(secrets.token_bytes(32))})
    monkeypatch.setenv("PROOF_KEYS", other)
    get_config.cache_clear()
    with pytest.raises(AuthError) as raised:
        sign_up(services, SoftAuthenticator(), NEW)
    assert raised.value.failure is AuthFailure.SIGNUP_NOT_COMPLETED
    assert services.gateway.find_user(email=NEW) is None
    assert _rows(services) == (0, 0)
    assert audit_trail(services, "signup.passkey")[-1][0] == "failure"


def test_a_sign_up_challenge_is_single_use(services: Services) -> None:
    ceremony = services.passkey_signup.begin(email=NEW, client=CLIENT)
    _, response = SoftAuthenticator().create(ceremony.options)
    services.passkey_signup.finish(handle=ceremony.handle, response=response, client=CLIENT)
    with pytest.raises(PasskeyRejectedError) as raised:
        services.passkey_signup.finish(handle=ceremony.handle, response=response, client=CLIENT)
    assert raised.value.reason is RejectReason.CHALLENGE_INVALID


def test_an_invalid_email_is_refused_before_any_ceremony(services: Services) -> None:
    with pytest.raises(AuthError) as raised:
        services.passkey_signup.begin(email="not an email", client=CLIENT)
    assert raised.value.failure is AuthFailure.INVALID_EMAIL
