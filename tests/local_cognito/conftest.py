"""Fixtures for the stand-in's contract tests: a real moto pool with the extension.

Everything is real: moto's cognito-idp under ``mock_aws()``, the pool provisioned by
``provision_local_pool``, the demo users, and the ``lambdas/`` triggers configured
through their environment variables with a random proof key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from lambdas.config import get_config
from lambdas.proof import KeyRing, ProofMethod, new_claims, parse_key_ring, sign_proof
from passkey_app.local_cognito import install, session_store
from passkey_app.local_cognito.pool import LocalPool, provision_local_pool, seed_demo_users

KEY_ID = "k1"


def secret_hash(pool: LocalPool, username: str) -> str:
    """SECRET_HASH as AWS documents it, computed here independently of the stand-in."""
    digest = hmac.new(
        pool.client_secret.encode(), (username + pool.client_id).encode(), hashlib.sha256
    ).digest()
    return base64.b64encode(digest).decode()


def error_of(failure: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    """(code, message) of a boto3 ClientError."""
    error = failure.value.response["Error"]
    return error["Code"], error["Message"]


@dataclass(frozen=True)
class StandIn:
    """A provisioned pool reachable through a boto3 client, plus signing helpers."""

    client: Any
    pool: LocalPool
    key_ring: KeyRing

    def user(self, email: str) -> tuple[str, str]:
        """(Cognito username, sub) of a user."""
        found = self.client.admin_get_user(UserPoolId=self.pool.user_pool_id, Username=email)
        attributes = {a["Name"]: a["Value"] for a in found["UserAttributes"]}
        return found["Username"], attributes["sub"]

    def proof(
        self,
        *,
        sub: str,
        nonce: str,
        key_ring: KeyRing | None = None,
        method: ProofMethod = ProofMethod.PASSKEY,
    ) -> str:
        """A proof the verify trigger accepts for this pool, client, user and nonce."""
        claims = new_claims(
            pool_id=self.pool.user_pool_id,
            client_id=self.pool.client_id,
            sub=sub,
            nonce=nonce,
            method=method,
            credential_id="Y3JlZGVudGlhbA" if method is ProofMethod.PASSKEY else None,
            now=int(time.time()),
        )
        return sign_proof(claims=claims, key_ring=key_ring or self.key_ring)

    def start_custom_auth(self, email: str, **overrides: str) -> dict[str, Any]:
        """AdminInitiateAuth with CUSTOM_AUTH and a correct SECRET_HASH."""
        parameters = {"USERNAME": email, "SECRET_HASH": secret_hash(self.pool, email)}
        parameters.update(overrides)
        result: dict[str, Any] = self.client.admin_initiate_auth(
            UserPoolId=self.pool.user_pool_id,
            ClientId=self.pool.client_id,
            AuthFlow="CUSTOM_AUTH",
            AuthParameters={k: v for k, v in parameters.items() if v},
        )
        return result

    def answer(self, email: str, session: str, answer: str, **overrides: str) -> dict[str, Any]:
        """AdminRespondToAuthChallenge for CUSTOM_CHALLENGE with a correct SECRET_HASH."""
        responses = {
            "USERNAME": email,
            "ANSWER": answer,
            "SECRET_HASH": secret_hash(self.pool, email),
        }
        responses.update(overrides)
        result: dict[str, Any] = self.client.admin_respond_to_auth_challenge(
            UserPoolId=self.pool.user_pool_id,
            ClientId=self.pool.client_id,
            ChallengeName="CUSTOM_CHALLENGE",
            Session=session,
            ChallengeResponses={k: v for k, v in responses.items() if v},
        )
        return result

    def sign_in_with_proof(self, email: str) -> dict[str, Any]:
        """A full CUSTOM_AUTH round trip; returns the AuthenticationResult."""
        _, sub = self.user(email)
        challenge = self.start_custom_auth(email)
        nonce = challenge["ChallengeParameters"]["nonce"]
        answered = self.answer(email, challenge["Session"], self.proof(sub=sub, nonce=nonce))
        result: dict[str, Any] = answered["AuthenticationResult"]
        return result

    def password_sign_in(self, email: str, password: str) -> dict[str, Any]:
        """USER_PASSWORD_AUTH with a correct SECRET_HASH; returns the whole answer."""
        result: dict[str, Any] = self.client.initiate_auth(
            ClientId=self.pool.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={
                "USERNAME": email,
                "PASSWORD": password,
                "SECRET_HASH": secret_hash(self.pool, email),
            },
        )
        return result


def random_key_ring() -> tuple[str, KeyRing]:
    """A fresh PROOF_KEYS value with one random 32-byte key ``k1``, and its ring."""
    key = base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()
    keys_json = json.dumps({KEY_ID: key})
    return keys_json, parse_key_ring(keys_json=keys_json, active_key_id=KEY_ID)


@pytest.fixture
def stand_in(monkeypatch: pytest.MonkeyPatch) -> Iterator[StandIn]:
    """moto + the extension + the provisioned pool, demo users and trigger config."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    keys_json, key_ring = random_key_ring()
    with mock_aws():
        install()
        client = boto3.client("cognito-idp", region_name="us-east-1")
        pool = provision_local_pool(client)
        seed_demo_users(client, pool)
        monkeypatch.setenv("PROOF_KEYS", keys_json)
        monkeypatch.setenv("PROOF_ACTIVE_KEY_ID", KEY_ID)
        monkeypatch.setenv("ALLOWED_CLIENT_IDS", pool.client_id)
        get_config.cache_clear()
        yield StandIn(client=client, pool=pool, key_ring=key_ring)
    get_config.cache_clear()
    store = session_store()
    store.clear()
    store.clock = time.time
