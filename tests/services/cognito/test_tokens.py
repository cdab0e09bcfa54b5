"""ID and access token checks: RS256 only, issuer, token_use, audience, expiry."""

from __future__ import annotations

import gzip
import json
import time
from pathlib import Path
from typing import Any

import jwt
import moto.cognitoidp
import pytest

from passkey_app.services.cognito.tokens import TokenInvalidError
from passkey_app.services.container import Services
from tests.conftest import CognitoFixture

MOTO_PRIVATE_JWK = Path(moto.cognitoidp.__file__).parent / "resources" / "jwks-private.json.gz"


def _forge(claims: dict[str, Any], *, alg: str = "RS256", key: Any = None) -> str:
    """A token signed with the pool's own key (moto's), with any claims we like."""
    private = (
        key or jwt.PyJWK.from_dict(json.loads(gzip.decompress(MOTO_PRIVATE_JWK.read_bytes()))).key
    )
    return jwt.encode(claims, private, algorithm=alg, headers={"kid": "dummy"})


def _claims(cognito: CognitoFixture, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "iss": f"https://cognito-idp.us-east-1.amazonaws.com/{cognito.pool.user_pool_id}",
        "sub": "11111111-2222-3333-4444-555555555555",
        "aud": cognito.pool.client_id,
        "token_use": "id",
        "iat": now,
        "auth_time": now,
        "exp": now + 600,
        "email": "alice@example.com",
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def _real_tokens(services: Services, cognito: CognitoFixture) -> Any:
    alice = cognito.user("alice@example.com")
    return services.gateway.password_auth(email=alice.email, password=alice.password)


def test_real_id_and_access_tokens_verify(services: Services, cognito: CognitoFixture) -> None:
    tokens = _real_tokens(services, cognito)
    identity = services.verifier.verify_id_token(tokens.id_token)
    access = services.verifier.verify_access_token(tokens.access_token)
    assert identity.email == "alice@example.com"
    assert identity.sub == access.sub


def test_access_token_is_not_an_id_token(services: Services, cognito: CognitoFixture) -> None:
    tokens = _real_tokens(services, cognito)
    with pytest.raises(TokenInvalidError):
        services.verifier.verify_id_token(tokens.access_token)
    with pytest.raises(TokenInvalidError, match="not an access token"):
        services.verifier.verify_access_token(tokens.id_token)


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        (
            {"iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_other"},
            "InvalidIssuerError",
        ),
        ({"aud": "another-client"}, "InvalidAudienceError"),
        ({"exp": int(time.time()) - 5}, "expired"),
        ({"token_use": "access"}, "not an id token"),
        ({"token_use": None}, "MissingRequiredClaimError"),
    ],
)
def test_forged_or_stale_claims_are_rejected(
    services: Services, cognito: CognitoFixture, overrides: dict[str, Any], reason: str
) -> None:
    with pytest.raises(TokenInvalidError, match=reason):
        services.verifier.verify_id_token(_forge(_claims(cognito, **overrides)))


def test_symmetric_and_unsigned_tokens_are_rejected(
    services: Services, cognito: CognitoFixture
) -> None:
    hs256 = _forge(_claims(cognito), alg="HS256", key=b"k" * 32)
    unsigned = jwt.encode(_claims(cognito), None, algorithm="none")
    for token in (hs256, unsigned, "not.a.jwt", ""):
        with pytest.raises(TokenInvalidError):
            services.verifier.verify_id_token(token)
