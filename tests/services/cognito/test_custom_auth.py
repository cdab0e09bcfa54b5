"""Minting a Cognito session from a factor the app verified, through CUSTOM_AUTH."""

from __future__ import annotations

import base64
import json
import secrets

import pytest

from lambdas.proof import ProofMethod, parse_key_ring
from passkey_app.services.cognito.custom_auth import mint_cognito_session
from passkey_app.services.container import Services
from passkey_app.services.errors import AuthError, AuthFailure
from tests.conftest import CognitoFixture


def _sub(cognito: CognitoFixture, email: str) -> tuple[str, str]:
    user = cognito.client.admin_get_user(UserPoolId=cognito.pool.user_pool_id, Username=email)
    attributes = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    return user["Username"], attributes["sub"]


def test_verified_factor_mints_tokens_for_that_user(
    services: Services, cognito: CognitoFixture
) -> None:
    username, sub = _sub(cognito, "bob@example.com")
    tokens = mint_cognito_session(
        gateway=services.gateway,
        key_ring=services.key_ring,
        username=username,
        sub=sub,
        method=ProofMethod.PASSKEY,
        credential_id="Y3JlZA",
    )
    identity = services.verifier.verify_id_token(tokens.id_token)
    assert (identity.sub, identity.email) == (sub, "bob@example.com")
    assert tokens.refresh_token


def test_proof_from_a_foreign_key_mints_nothing(
    services: Services, cognito: CognitoFixture
) -> None:
    username, sub = _sub(cognito, "bob@example.com")
    foreign = parse_key_ring(
        keys_json=json.dumps(
            {"test-1": base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()}
        ),
        active_key_id="test-1",
    )
    with pytest.raises(AuthError) as refused:
        mint_cognito_session(
            gateway=services.gateway,
            key_ring=foreign,
            username=username,
            sub=sub,
            method=ProofMethod.PASSKEY,
        )
    assert refused.value.failure is AuthFailure.INVALID_CREDENTIALS


def test_proof_for_another_user_mints_nothing(services: Services, cognito: CognitoFixture) -> None:
    username, _ = _sub(cognito, "bob@example.com")
    _, alice_sub = _sub(cognito, "alice@example.com")
    with pytest.raises(AuthError) as refused:
        mint_cognito_session(
            gateway=services.gateway,
            key_ring=services.key_ring,
            username=username,
            sub=alice_sub,
            method=ProofMethod.MAGIC_LINK,
        )
    assert refused.value.failure is AuthFailure.INVALID_CREDENTIALS
