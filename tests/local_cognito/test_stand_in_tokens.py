"""Password sign-in still goes through moto; refresh and RevokeToken as Cognito does."""

from __future__ import annotations

import jwt
import pytest
from botocore.exceptions import ClientError

from passkey_app.local_cognito import install, is_installed
from passkey_app.local_cognito.extension import _initiate_auth
from passkey_app.local_cognito.pool import DEMO_USERS
from tests.local_cognito.conftest import StandIn, error_of, secret_hash

PASSWORDS = {user.email: user.password for user in DEMO_USERS}
INCORRECT = ("NotAuthorizedException", "Incorrect username or password.")


@pytest.mark.parametrize("email", ["alice@example.com", "bob@example.com", "admin@example.com"])
def test_demo_users_sign_in_with_their_password(stand_in: StandIn, email: str) -> None:
    result = stand_in.password_sign_in(email, PASSWORDS[email])["AuthenticationResult"]
    username, _ = stand_in.user(email)
    assert stand_in.client.get_user(AccessToken=result["AccessToken"])["Username"] == username
    groups = jwt.decode(result["IdToken"], options={"verify_signature": False}).get(
        "cognito:groups", []
    )
    assert groups == (["admin"] if email == "admin@example.com" else [])


def test_admin_password_sign_in_works(stand_in: StandIn) -> None:
    email = "bob@example.com"
    answer = stand_in.client.admin_initiate_auth(
        UserPoolId=stand_in.pool.user_pool_id,
        ClientId=stand_in.pool.client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={
            "USERNAME": email,
            "PASSWORD": PASSWORDS[email],
            "SECRET_HASH": secret_hash(stand_in.pool, email),
        },
    )
    assert answer["AuthenticationResult"]["RefreshToken"]


@pytest.mark.parametrize("flow", ["USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH"])
@pytest.mark.parametrize(
    ("email", "password"),
    [("alice@example.com", "Wrong-password-1"), ("nobody@example.com", "Wrong-password-1")],
    ids=["wrong password", "unknown user"],
)
def test_wrong_credentials_get_one_answer(
    stand_in: StandIn, flow: str, email: str, password: str
) -> None:
    parameters = {
        "USERNAME": email,
        "PASSWORD": password,
        "SECRET_HASH": secret_hash(stand_in.pool, email),
    }
    with pytest.raises(ClientError) as failure:
        if flow == "USER_PASSWORD_AUTH":
            stand_in.client.initiate_auth(
                ClientId=stand_in.pool.client_id, AuthFlow=flow, AuthParameters=parameters
            )
        else:
            stand_in.client.admin_initiate_auth(
                UserPoolId=stand_in.pool.user_pool_id,
                ClientId=stand_in.pool.client_id,
                AuthFlow=flow,
                AuthParameters=parameters,
            )
    assert error_of(failure) == INCORRECT


def test_a_temporary_password_requires_a_new_one(stand_in: StandIn) -> None:
    email = "carol@example.com"
    challenge = stand_in.password_sign_in(email, PASSWORDS[email])
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    username = challenge["ChallengeParameters"]["USERNAME"]

    with pytest.raises(ClientError) as failure:
        stand_in.client.respond_to_auth_challenge(
            ClientId=stand_in.pool.client_id,
            ChallengeName="NEW_PASSWORD_REQUIRED",
            Session=challenge["Session"],
            ChallengeResponses={"USERNAME": username, "NEW_PASSWORD": "Carol-own-pass-2"},
        )
    assert error_of(failure)[0] == "NotAuthorizedException"

    answered = stand_in.client.respond_to_auth_challenge(
        ClientId=stand_in.pool.client_id,
        ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=challenge["Session"],
        ChallengeResponses={
            "USERNAME": username,
            "NEW_PASSWORD": "Carol-own-pass-2",
            "SECRET_HASH": secret_hash(stand_in.pool, username),
        },
    )
    assert answered["AuthenticationResult"]["AccessToken"]
    again = stand_in.password_sign_in(email, "Carol-own-pass-2")
    assert "AuthenticationResult" in again


def test_revoke_token_ends_the_refresh_token_and_its_access_tokens(stand_in: StandIn) -> None:
    email = "alice@example.com"
    revoked = stand_in.sign_in_with_proof(email)
    other = stand_in.sign_in_with_proof(email)
    stand_in.client.revoke_token(
        Token=revoked["RefreshToken"],
        ClientId=stand_in.pool.client_id,
        ClientSecret=stand_in.pool.client_secret,
    )

    username, _ = stand_in.user(email)
    with pytest.raises(ClientError) as failure:
        _refresh(stand_in, revoked["RefreshToken"], username)
    assert error_of(failure) == ("NotAuthorizedException", "Refresh Token has been revoked")
    with pytest.raises(ClientError) as failure:
        stand_in.client.get_user(AccessToken=revoked["AccessToken"])
    assert error_of(failure)[0] == "NotAuthorizedException"
    assert _refresh(stand_in, other["RefreshToken"], username)["AuthenticationResult"]
    assert stand_in.client.get_user(AccessToken=other["AccessToken"])


def test_revoke_token_checks_the_client_secret(stand_in: StandIn) -> None:
    tokens = stand_in.sign_in_with_proof("alice@example.com")
    with pytest.raises(ClientError) as failure:
        stand_in.client.revoke_token(
            Token=tokens["RefreshToken"],
            ClientId=stand_in.pool.client_id,
            ClientSecret="wrong-secret-of-24-chars",
        )
    assert error_of(failure) == ("UnauthorizedException", "Invalid client credentials.")
    with pytest.raises(ClientError) as failure:
        stand_in.client.revoke_token(
            Token=tokens["AccessToken"],
            ClientId=stand_in.pool.client_id,
            ClientSecret=stand_in.pool.client_secret,
        )
    assert error_of(failure)[0] == "UnsupportedTokenTypeException"


def test_an_unknown_refresh_token_is_invalid(stand_in: StandIn) -> None:
    with pytest.raises(ClientError) as failure:
        _refresh(stand_in, "not-a-refresh-token", "alice@example.com")
    assert error_of(failure) == ("NotAuthorizedException", "Invalid Refresh Token")


def test_install_is_idempotent(stand_in: StandIn) -> None:
    install()
    install()
    from moto.cognitoidp.responses import CognitoIdpResponse

    assert is_installed()
    assert CognitoIdpResponse.initiate_auth is _initiate_auth


def _refresh(stand_in: StandIn, refresh_token: str, username: str) -> dict[str, object]:
    answer: dict[str, object] = stand_in.client.admin_initiate_auth(
        UserPoolId=stand_in.pool.user_pool_id,
        ClientId=stand_in.pool.client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={
            "REFRESH_TOKEN": refresh_token,
            "SECRET_HASH": secret_hash(stand_in.pool, username),
        },
    )
    return answer
