"""The checks Cognito makes before any auth flow runs: client, flow, SECRET_HASH.

Moto skips them (5.2.x); the stand-in runs them first, in Cognito's order, and
raises at the first failure with Cognito's error code and message.
"""

# ruff: noqa: S105 - the strings named *TOKEN* / *PASSWORD* here are AWS protocol names

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any

from moto.cognitoidp.exceptions import (
    InvalidParameterException,
    NotAuthorizedError,
    ResourceNotFoundError,
)
from moto.cognitoidp.models import (
    CognitoIdpBackend,
    CognitoIdpUserPool,
    CognitoIdpUserPoolClient,
    cognitoidp_backends,
)

from passkey_app.local_cognito import errors


class AuthFlow(StrEnum):
    """The AuthFlow values of InitiateAuth and AdminInitiateAuth."""

    USER_SRP_AUTH = "USER_SRP_AUTH"
    USER_PASSWORD_AUTH = "USER_PASSWORD_AUTH"
    ADMIN_USER_PASSWORD_AUTH = "ADMIN_USER_PASSWORD_AUTH"
    ADMIN_NO_SRP_AUTH = "ADMIN_NO_SRP_AUTH"
    CUSTOM_AUTH = "CUSTOM_AUTH"
    REFRESH_TOKEN_AUTH = "REFRESH_TOKEN_AUTH"
    REFRESH_TOKEN = "REFRESH_TOKEN"


USER_FLOWS = frozenset(
    {
        AuthFlow.USER_SRP_AUTH,
        AuthFlow.USER_PASSWORD_AUTH,
        AuthFlow.CUSTOM_AUTH,
        AuthFlow.REFRESH_TOKEN_AUTH,
        AuthFlow.REFRESH_TOKEN,
    }
)
ADMIN_FLOWS = frozenset(
    {
        AuthFlow.ADMIN_USER_PASSWORD_AUTH,
        AuthFlow.ADMIN_NO_SRP_AUTH,
        AuthFlow.CUSTOM_AUTH,
        AuthFlow.REFRESH_TOKEN_AUTH,
        AuthFlow.REFRESH_TOKEN,
    }
)
REFRESH_FLOWS = frozenset({AuthFlow.REFRESH_TOKEN_AUTH, AuthFlow.REFRESH_TOKEN})

# ExplicitAuthFlows values (current and legacy) that enable each flow.
_ENABLING_VALUES: dict[AuthFlow, frozenset[str]] = {
    AuthFlow.USER_SRP_AUTH: frozenset({"ALLOW_USER_SRP_AUTH"}),
    AuthFlow.USER_PASSWORD_AUTH: frozenset({"ALLOW_USER_PASSWORD_AUTH", "USER_PASSWORD_AUTH"}),
    AuthFlow.ADMIN_USER_PASSWORD_AUTH: frozenset(
        {"ALLOW_ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"}
    ),
    AuthFlow.ADMIN_NO_SRP_AUTH: frozenset({"ALLOW_ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"}),
    AuthFlow.CUSTOM_AUTH: frozenset({"ALLOW_CUSTOM_AUTH", "CUSTOM_AUTH_FLOW_ONLY"}),
    AuthFlow.REFRESH_TOKEN_AUTH: frozenset({"ALLOW_REFRESH_TOKEN_AUTH"}),
    AuthFlow.REFRESH_TOKEN: frozenset({"ALLOW_REFRESH_TOKEN_AUTH"}),
}
# What Cognito enables for a client created without ExplicitAuthFlows.
_DEFAULT_EXPLICIT_FLOWS = ("ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")


def parse_auth_flow(value: object, *, allowed: frozenset[AuthFlow]) -> AuthFlow:
    """The AuthFlow named by ``value``, if the endpoint being called accepts it."""
    try:
        flow = AuthFlow(str(value))
    except ValueError:
        known = [flow.value for flow in AuthFlow]
        raise InvalidParameterException(
            f"1 validation error detected: Value '{value}' at 'authFlow' failed to satisfy "
            f"constraint: Member must satisfy enum value set: {known}"
        ) from None
    if flow not in allowed:
        raise InvalidParameterException(errors.AUTH_METHOD_NOT_SUPPORTED)
    return flow


def find_client(
    client_id: object, *, account_id: str, region: str
) -> tuple[CognitoIdpUserPool, CognitoIdpUserPoolClient]:
    """The pool and app client with this id, in any account and region.

    Unsigned calls (InitiateAuth, RespondToAuthChallenge, RevokeToken) say nothing of
    their region in server mode, so the client id is what places them, as moto does.
    """
    preferred = cognitoidp_backends[account_id][region]
    for backend in (preferred, *_all_backends()):
        for pool in backend.user_pools.values():
            client = pool.clients.get(str(client_id))
            if client is not None:
                return pool, client
    raise ResourceNotFoundError(str(client_id))


def find_client_in_pool(
    backend: CognitoIdpBackend, user_pool_id: str, client_id: str
) -> tuple[CognitoIdpUserPool, CognitoIdpUserPoolClient]:
    """The named pool of this backend and its app client (admin calls name both)."""
    pool = backend.describe_user_pool(user_pool_id)
    client = pool.clients.get(client_id)
    if client is None:
        raise ResourceNotFoundError(client_id)
    return pool, client


def require_flow_enabled(client: CognitoIdpUserPoolClient, flow: AuthFlow) -> None:
    """Refuse a flow the client's ExplicitAuthFlows do not allow."""
    configured = client.extended_config.get("ExplicitAuthFlows") or _DEFAULT_EXPLICIT_FLOWS
    if _ENABLING_VALUES[flow].isdisjoint(configured):
        raise InvalidParameterException(errors.FLOW_NOT_ENABLED)


def compute_secret_hash(*, client_id: str, client_secret: str, username: str) -> str:
    """Base64 HMAC-SHA256 of username + client id under the client secret."""
    digest = hmac.new(
        client_secret.encode(), (username + client_id).encode(), hashlib.sha256
    ).digest()
    return base64.b64encode(digest).decode()


def require_secret_hash(
    client: CognitoIdpUserPoolClient,
    *,
    usernames: Iterable[str],
    secret_hash: object,
) -> None:
    """For a client with a secret, the SECRET_HASH must match one of ``usernames``.

    Several names are accepted only where Cognito accepts them too (REFRESH_TOKEN_AUTH
    hashes the internal username, which callers may know as the sign-in alias).
    """
    if not client.generate_secret:
        return
    sent = require_secret_hash_sent(client, secret_hash=secret_hash).encode()
    for username in usernames:
        expected = compute_secret_hash(
            client_id=client.id, client_secret=client.secret, username=username
        )
        if hmac.compare_digest(expected.encode(), sent):
            return
    raise NotAuthorizedError(errors.secret_hash_mismatch(client.id))


def require_secret_hash_sent(client: CognitoIdpUserPoolClient, *, secret_hash: object) -> str:
    """For a client with a secret, a SECRET_HASH must at least be present; it is returned."""
    if not isinstance(secret_hash, str) or not secret_hash:
        if client.generate_secret:
            raise NotAuthorizedError(errors.secret_hash_missing(client.id))
        return ""
    return secret_hash


def require_parameter(parameters: Mapping[str, Any], name: str) -> str:
    """A required string parameter of AuthParameters or ChallengeResponses."""
    value = parameters.get(name)
    if not isinstance(value, str) or not value:
        raise InvalidParameterException(errors.missing_parameter(name))
    return value


def prevents_user_existence_errors(client: CognitoIdpUserPoolClient) -> bool:
    """Whether the client answers alike for unknown users and wrong credentials."""
    return client.extended_config.get("PreventUserExistenceErrors") == "ENABLED"


def _all_backends() -> list[CognitoIdpBackend]:
    return [
        backend
        for account_backends in list(cognitoidp_backends.values())
        for region, backend in list(account_backends.items())
        if region != "global"
    ]
