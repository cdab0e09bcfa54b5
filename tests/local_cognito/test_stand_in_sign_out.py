"""AdminUserGlobalSignOut and GlobalSignOut through the stand-in: the user's refresh
tokens stop working whichever name the caller used and whichever name they were
issued under, and nobody else's do."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from passkey_app.local_cognito.pool import DEMO_USERS
from tests.local_cognito.conftest import StandIn, error_of, secret_hash

ALICE, BOB = "alice@example.com", "bob@example.com"
PASSWORDS = {user.email: user.password for user in DEMO_USERS}
REVOKED = ("NotAuthorizedException", "Refresh Token has been revoked")


def _refresh(stand_in: StandIn, refresh_token: str, username: str) -> dict[str, Any]:
    answer: dict[str, Any] = stand_in.client.admin_initiate_auth(
        UserPoolId=stand_in.pool.user_pool_id,
        ClientId=stand_in.pool.client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={
            "REFRESH_TOKEN": refresh_token,
            "SECRET_HASH": secret_hash(stand_in.pool, username),
        },
    )
    return answer


def _sign_ins(stand_in: StandIn, email: str) -> list[dict[str, Any]]:
    """The user's tokens from every way in: CUSTOM_AUTH, and moto's password flow under
    the email and under the internal username (moto records each under that name)."""
    username, _ = stand_in.user(email)
    by_name = stand_in.client.initiate_auth(
        ClientId=stand_in.pool.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={
            "USERNAME": username,
            "PASSWORD": PASSWORDS[email],
            "SECRET_HASH": secret_hash(stand_in.pool, username),
        },
    )
    return [
        stand_in.sign_in_with_proof(email),
        stand_in.password_sign_in(email, PASSWORDS[email])["AuthenticationResult"],
        by_name["AuthenticationResult"],
    ]


def _assert_signed_out(stand_in: StandIn, email: str, sign_ins: list[dict[str, Any]]) -> None:
    username, _ = stand_in.user(email)
    for tokens in sign_ins:
        with pytest.raises(ClientError) as refused:
            _refresh(stand_in, tokens["RefreshToken"], username)
        assert error_of(refused) == REVOKED
        with pytest.raises(ClientError) as rejected:
            stand_in.client.get_user(AccessToken=tokens["AccessToken"])
        assert error_of(rejected)[0] == "NotAuthorizedException"


@pytest.mark.parametrize("identifier", ["internal username", "email", "sub"])
def test_admin_global_sign_out_revokes_every_refresh_token_whatever_name_is_given(
    stand_in: StandIn, identifier: str
) -> None:
    username, sub = stand_in.user(ALICE)
    name = {"internal username": username, "email": ALICE, "sub": sub}[identifier]
    alice = _sign_ins(stand_in, ALICE)
    bob = _sign_ins(stand_in, BOB)

    stand_in.client.admin_user_global_sign_out(UserPoolId=stand_in.pool.user_pool_id, Username=name)

    _assert_signed_out(stand_in, ALICE, alice)
    bob_username, _ = stand_in.user(BOB)
    for tokens in bob:
        assert _refresh(stand_in, tokens["RefreshToken"], bob_username)["AuthenticationResult"]
        assert stand_in.client.get_user(AccessToken=tokens["AccessToken"])


def test_a_sign_in_after_the_sign_out_works(stand_in: StandIn) -> None:
    username, _ = stand_in.user(ALICE)
    stand_in.client.admin_user_global_sign_out(
        UserPoolId=stand_in.pool.user_pool_id, Username=username
    )
    tokens = stand_in.sign_in_with_proof(ALICE)
    assert _refresh(stand_in, tokens["RefreshToken"], username)["AuthenticationResult"]


def test_admin_global_sign_out_of_an_unknown_user_says_so(stand_in: StandIn) -> None:
    with pytest.raises(ClientError) as failure:
        stand_in.client.admin_user_global_sign_out(
            UserPoolId=stand_in.pool.user_pool_id, Username="nobody@example.com"
        )
    assert error_of(failure) == ("UserNotFoundException", "User does not exist.")


def test_global_sign_out_revokes_the_tokens_issued_under_every_name(stand_in: StandIn) -> None:
    alice = _sign_ins(stand_in, ALICE)
    bob = stand_in.sign_in_with_proof(BOB)

    stand_in.client.global_sign_out(AccessToken=alice[0]["AccessToken"])

    _assert_signed_out(stand_in, ALICE, alice)
    assert stand_in.client.get_user(AccessToken=bob["AccessToken"])


def test_global_sign_out_with_an_unknown_access_token_is_refused(stand_in: StandIn) -> None:
    with pytest.raises(ClientError) as failure:
        stand_in.client.global_sign_out(AccessToken="not-an-access-token")
    assert error_of(failure)[0] == "NotAuthorizedException"
