"""Tokens through moto's own pool machinery: issue, refresh, revoke, sign out.

Tokens are minted by moto's ``CognitoIdpUserPool`` methods, so everything moto does
with them afterwards (GetUser, JWKS verification) keeps working. Moto records each
token under the name it was issued to (the email here, for an email-username pool),
so signing a user out goes by who a name resolves to, not by the name itself.
"""

# ruff: noqa: S105 - the strings named *TOKEN* / *PASSWORD* here are AWS protocol names

from __future__ import annotations

import base64
import hmac
import json
from typing import Any

from moto.cognitoidp.exceptions import NotAuthorizedError
from moto.cognitoidp.models import CognitoIdpUser, CognitoIdpUserPool, CognitoIdpUserPoolClient

from passkey_app.local_cognito import checks, errors

TOKEN_TYPE = "Bearer"
_INVALID_CLIENT = "Invalid client credentials."


def token_username(pool: CognitoIdpUserPool, user: CognitoIdpUser) -> str:
    """The name moto records tokens under: the email in an email-username pool.

    Moto writes this name into the ID token's ``email`` claim, so it must be the
    user's email there, not the internal username.
    """
    if "email" in pool.extended_config.get("UsernameAttributes", []):
        email = user.attribute_lookup.get("email")
        if isinstance(email, str) and email:
            return email
    return str(user.username)


def issue_tokens(
    pool: CognitoIdpUserPool, client: CognitoIdpUserPoolClient, user: CognitoIdpUser
) -> dict[str, Any]:
    """A successful sign-in: ID, access and refresh token, as InitiateAuth returns them."""
    username = token_username(pool, user)
    refresh_token, origin_jti = pool.create_refresh_token(client.id, username)
    access_token, expires_in = pool.create_access_token(client.id, username, origin_jti)
    id_token, _ = pool.create_id_token(client.id, username, origin_jti)
    return {
        "ChallengeParameters": {},
        "AuthenticationResult": {
            "IdToken": id_token,
            "AccessToken": access_token,
            "RefreshToken": refresh_token,
            "ExpiresIn": expires_in,
            "TokenType": TOKEN_TYPE,
        },
    }


def refresh_tokens(
    pool: CognitoIdpUserPool, client: CognitoIdpUserPoolClient, auth_parameters: dict[str, Any]
) -> dict[str, Any]:
    """REFRESH_TOKEN_AUTH: new ID and access tokens for a live refresh token.

    The SECRET_HASH is checked against the internal username (what Cognito hashes
    here) or the name the tokens were issued under.
    """
    checks.require_secret_hash_sent(client, secret_hash=auth_parameters.get("SECRET_HASH"))
    refresh_token = checks.require_parameter(auth_parameters, "REFRESH_TOKEN")
    if refresh_token not in pool.refresh_tokens:
        raise NotAuthorizedError(errors.INVALID_REFRESH_TOKEN)
    record = pool.refresh_tokens[refresh_token]
    if record is None:
        raise NotAuthorizedError(errors.REFRESH_TOKEN_REVOKED)
    issued_to, username, _ = record
    if issued_to != client.id:
        raise NotAuthorizedError(errors.INVALID_REFRESH_TOKEN)
    user = pool._get_user(username)
    if user is None:
        raise NotAuthorizedError(errors.INVALID_REFRESH_TOKEN)
    checks.require_secret_hash(
        client,
        usernames=(str(user.username), username),
        secret_hash=auth_parameters.get("SECRET_HASH"),
    )
    if not user.enabled:
        raise NotAuthorizedError(errors.USER_DISABLED)
    access_token, id_token, expires_in = pool.create_tokens_from_refresh_token(refresh_token)
    return {
        "ChallengeParameters": {},
        "AuthenticationResult": {
            "IdToken": id_token,
            "AccessToken": access_token,
            "ExpiresIn": expires_in,
            "TokenType": TOKEN_TYPE,
        },
    }


def revoke_refresh_token(
    pool: CognitoIdpUserPool,
    client: CognitoIdpUserPoolClient,
    *,
    token: str,
    client_secret: str | None,
) -> None:
    """RevokeToken: end a refresh token and the access and ID tokens minted from it.

    An unknown or already revoked token is not an error (RFC 7009, as Cognito's
    revocation endpoint); a token of another client is.
    """
    if client.generate_secret and not hmac.compare_digest(
        (client_secret or "").encode(), str(client.secret).encode()
    ):
        raise errors.UnauthorizedException(_INVALID_CLIENT)
    if client.extended_config.get("EnableTokenRevocation") is False:
        raise errors.UnsupportedOperationException(
            "Token revocation is not enabled for this app client."
        )
    if token.count(".") == 2:
        raise errors.UnsupportedTokenTypeException("Only refresh tokens can be revoked.")
    record = pool.refresh_tokens.get(token)
    if record is None:
        return
    issued_to, _, origin_jti = record
    if issued_to != client.id:
        raise errors.UnauthorizedException(_INVALID_CLIENT)
    pool.refresh_tokens[token] = None
    for issued in (pool.access_tokens, pool.id_tokens):
        for jwt in [jwt for jwt in issued if _origin_jti(jwt) == origin_jti]:
            del issued[jwt]


def sign_out_user(pool: CognitoIdpUserPool, user: CognitoIdpUser) -> None:
    """Global sign-out: every refresh token that refreshes as ``user`` is revoked and the
    access and ID tokens of the user are dropped, whichever of the user's names (internal
    username, email alias) they were issued under. Moto's own sign-out matches the name
    it is given, so by the internal username it revoked nothing issued under the email."""
    resolved: dict[str, bool] = {}

    def is_users(name: str) -> bool:
        if name not in resolved:
            resolved[name] = pool._get_user(name) is user
        return resolved[name]

    for token, record in list(pool.refresh_tokens.items()):
        if record is not None and is_users(record[1]):
            pool.refresh_tokens[token] = None
    for issued in (pool.access_tokens, pool.id_tokens):
        for jwt, (_, name) in list(issued.items()):
            if is_users(name):
                del issued[jwt]


def revoke_client_error() -> errors.UnauthorizedException:
    """The error RevokeToken answers for an app client that does not exist."""
    return errors.UnauthorizedException(_INVALID_CLIENT)


def _origin_jti(jwt: str) -> str | None:
    """The ``origin_jti`` claim of a token moto issued (read, not verified)."""
    try:
        payload = jwt.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return None
    value = claims.get("origin_jti") if isinstance(claims, dict) else None
    return value if isinstance(value, str) else None
