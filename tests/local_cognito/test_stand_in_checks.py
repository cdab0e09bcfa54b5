"""Cognito's checks before any flow: SECRET_HASH on every flow, ExplicitAuthFlows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from passkey_app.local_cognito.pool import DEMO_USERS
from tests.local_cognito.conftest import StandIn, error_of, secret_hash

ALICE = "alice@example.com"
ALICE_PASSWORD = next(user.password for user in DEMO_USERS if user.email == ALICE)

Attempt = Callable[[StandIn, str | None], Any]


def _user_password(stand_in: StandIn, hash_value: str | None) -> Any:
    parameters = {"USERNAME": ALICE, "PASSWORD": ALICE_PASSWORD}
    return stand_in.client.initiate_auth(
        ClientId=stand_in.pool.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters=_with_hash(parameters, hash_value),
    )


def _admin_password(stand_in: StandIn, hash_value: str | None) -> Any:
    parameters = {"USERNAME": ALICE, "PASSWORD": ALICE_PASSWORD}
    return stand_in.client.admin_initiate_auth(
        UserPoolId=stand_in.pool.user_pool_id,
        ClientId=stand_in.pool.client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters=_with_hash(parameters, hash_value),
    )


def _custom_start(stand_in: StandIn, hash_value: str | None) -> Any:
    return stand_in.client.initiate_auth(
        ClientId=stand_in.pool.client_id,
        AuthFlow="CUSTOM_AUTH",
        AuthParameters=_with_hash({"USERNAME": ALICE}, hash_value),
    )


def _custom_answer(stand_in: StandIn, hash_value: str | None) -> Any:
    _, sub = stand_in.user(ALICE)
    challenge = stand_in.start_custom_auth(ALICE)
    proof = stand_in.proof(sub=sub, nonce=challenge["ChallengeParameters"]["nonce"])
    return stand_in.client.respond_to_auth_challenge(
        ClientId=stand_in.pool.client_id,
        ChallengeName="CUSTOM_CHALLENGE",
        Session=challenge["Session"],
        ChallengeResponses=_with_hash({"USERNAME": ALICE, "ANSWER": proof}, hash_value),
    )


def _refresh(stand_in: StandIn, hash_value: str | None) -> Any:
    refresh_token = stand_in.sign_in_with_proof(ALICE)["RefreshToken"]
    return stand_in.client.initiate_auth(
        ClientId=stand_in.pool.client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters=_with_hash({"REFRESH_TOKEN": refresh_token}, hash_value),
    )


def _with_hash(parameters: dict[str, str], hash_value: str | None) -> dict[str, str]:
    return parameters if hash_value is None else {**parameters, "SECRET_HASH": hash_value}


FLOWS = pytest.mark.parametrize(
    "attempt",
    [_user_password, _admin_password, _custom_start, _custom_answer, _refresh],
    ids=["USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH", "CUSTOM_AUTH", "answer", "refresh"],
)


@FLOWS
def test_a_missing_secret_hash_is_refused(stand_in: StandIn, attempt: Attempt) -> None:
    with pytest.raises(ClientError) as failure:
        attempt(stand_in, None)
    client_id = stand_in.pool.client_id
    assert error_of(failure) == (
        "NotAuthorizedException",
        f"Client {client_id} is configured with secret but SECRET_HASH was not received",
    )


@FLOWS
def test_a_wrong_secret_hash_is_refused(stand_in: StandIn, attempt: Attempt) -> None:
    wrong = secret_hash(stand_in.pool, "bob@example.com")
    with pytest.raises(ClientError) as failure:
        attempt(stand_in, wrong)
    client_id = stand_in.pool.client_id
    assert error_of(failure) == (
        "NotAuthorizedException",
        f"Unable to verify secret hash for client {client_id}",
    )


def test_refresh_accepts_the_hash_of_the_internal_username(stand_in: StandIn) -> None:
    username, sub = stand_in.user(ALICE)
    refresh_token = stand_in.sign_in_with_proof(ALICE)["RefreshToken"]
    refreshed = stand_in.client.initiate_auth(
        ClientId=stand_in.pool.client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={
            "REFRESH_TOKEN": refresh_token,
            "SECRET_HASH": secret_hash(stand_in.pool, username),
        },
    )
    result = refreshed["AuthenticationResult"]
    assert "RefreshToken" not in result
    assert stand_in.client.get_user(AccessToken=result["AccessToken"])["Username"] == username
    assert username == sub


@pytest.mark.parametrize(
    ("explicit_flows", "auth_flow"),
    [
        (["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"], "CUSTOM_AUTH"),
        (["ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"], "USER_PASSWORD_AUTH"),
        (["ALLOW_CUSTOM_AUTH", "ALLOW_USER_PASSWORD_AUTH"], "REFRESH_TOKEN_AUTH"),
    ],
)
def test_a_flow_the_client_does_not_allow_is_refused(
    stand_in: StandIn, explicit_flows: list[str], auth_flow: str
) -> None:
    client = stand_in.client.create_user_pool_client(
        UserPoolId=stand_in.pool.user_pool_id,
        ClientName="limited",
        ExplicitAuthFlows=explicit_flows,
    )["UserPoolClient"]
    parameters = {"USERNAME": ALICE, "PASSWORD": ALICE_PASSWORD, "REFRESH_TOKEN": "x"}
    with pytest.raises(ClientError) as failure:
        stand_in.client.initiate_auth(
            ClientId=client["ClientId"], AuthFlow=auth_flow, AuthParameters=parameters
        )
    assert error_of(failure) == (
        "InvalidParameterException",
        "Auth flow not enabled for this client",
    )


def test_admin_password_flow_needs_its_own_flag(stand_in: StandIn) -> None:
    client = stand_in.client.create_user_pool_client(
        UserPoolId=stand_in.pool.user_pool_id,
        ClientName="no-admin",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"],
    )["UserPoolClient"]
    with pytest.raises(ClientError) as failure:
        stand_in.client.admin_initiate_auth(
            UserPoolId=stand_in.pool.user_pool_id,
            ClientId=client["ClientId"],
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": ALICE, "PASSWORD": ALICE_PASSWORD},
        )
    assert error_of(failure) == (
        "InvalidParameterException",
        "Auth flow not enabled for this client",
    )


def test_a_public_client_needs_no_secret_hash(stand_in: StandIn) -> None:
    client = stand_in.client.create_user_pool_client(
        UserPoolId=stand_in.pool.user_pool_id,
        ClientName="public",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"],
    )["UserPoolClient"]
    answer = stand_in.client.initiate_auth(
        ClientId=client["ClientId"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": ALICE, "PASSWORD": ALICE_PASSWORD},
    )
    assert answer["AuthenticationResult"]["AccessToken"]
