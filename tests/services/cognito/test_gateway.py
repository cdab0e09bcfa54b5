"""The gateway's mapping of Cognito's answers to the failures people see."""

from __future__ import annotations

import pytest
from botocore.stub import Stubber

from passkey_app.services.cognito.gateway import CognitoGateway
from passkey_app.services.errors import AuthError, AuthFailure
from passkey_app.settings import PoolSettings
from tests.conftest import CognitoFixture


def _gateway(cognito: CognitoFixture) -> CognitoGateway:
    pool = PoolSettings(
        region=cognito.pool.region,
        user_pool_id=cognito.pool.user_pool_id,
        client_id=cognito.pool.client_id,
        client_secret=cognito.pool.client_secret,
        endpoint_url=None,
    )
    return CognitoGateway(client=cognito.client, pool=pool)


@pytest.mark.parametrize(
    ("code", "message", "failure"),
    [
        (
            "NotAuthorizedException",
            "Incorrect username or password.",
            AuthFailure.INVALID_CREDENTIALS,
        ),
        ("NotAuthorizedException", "Password attempts exceeded", AuthFailure.THROTTLED),
        ("UserNotFoundException", "User does not exist.", AuthFailure.INVALID_CREDENTIALS),
        (
            "PasswordResetRequiredException",
            "Password reset required",
            AuthFailure.PASSWORD_RESET_REQUIRED,
        ),
        ("UserNotConfirmedException", "User is not confirmed.", AuthFailure.USER_NOT_CONFIRMED),
        ("TooManyRequestsException", "Rate exceeded", AuthFailure.BUSY),
        ("LimitExceededException", "Limit exceeded", AuthFailure.THROTTLED),
        ("InternalErrorException", "boom", AuthFailure.UNEXPECTED),
    ],
)
def test_cognito_errors_become_named_failures(
    cognito: CognitoFixture, code: str, message: str, failure: AuthFailure
) -> None:
    gateway = _gateway(cognito)
    with Stubber(cognito.client) as stub:
        stub.add_client_error(
            "admin_initiate_auth", service_error_code=code, service_message=message
        )
        with pytest.raises(AuthError) as raised:
            gateway.password_auth(email="alice@example.com", password="Alice-demo-pass-1")
    assert raised.value.failure is failure
    assert message not in raised.value.user_message


def test_unreachable_cognito_is_unavailable_not_a_traceback(cognito: CognitoFixture) -> None:
    pool = PoolSettings(
        region="us-east-1",
        user_pool_id=cognito.pool.user_pool_id,
        client_id=cognito.pool.client_id,
        client_secret=cognito.pool.client_secret,
        endpoint_url="http://127.0.0.1:9",
    )
    with pytest.raises(AuthError) as raised:
        CognitoGateway.connect(pool).password_auth(email="a@example.com", password="Xx-123456789")
    assert raised.value.failure is AuthFailure.UNAVAILABLE
    assert raised.value.user_message == "Sign-in is unavailable right now. Try again shortly."


def test_find_user_returns_none_for_unknown_email(cognito: CognitoFixture) -> None:
    gateway = _gateway(cognito)
    assert gateway.find_user(email="nobody@example.com") is None
    alice = gateway.find_user(email="alice@example.com")
    assert alice is not None and alice.email == "alice@example.com" and alice.enabled
