"""CUSTOM_AUTH as Cognito runs it: define, create, answer, verify, define again.

Each round asks the define trigger what comes next; a challenge is created by the
create trigger and handed out under a new single-use Session; the answer goes to
the verify trigger and its verdict joins the session history for the next define.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from collections.abc import Mapping
from enum import Enum
from types import MappingProxyType
from typing import Any

from moto.cognitoidp.exceptions import (
    InvalidParameterException,
    NotAuthorizedError,
    UserNotConfirmedException,
    UserNotFoundError,
)
from moto.cognitoidp.models import (
    CognitoIdpUser,
    CognitoIdpUserPool,
    CognitoIdpUserPoolClient,
    UserStatus,
)

from passkey_app.local_cognito import checks, errors, tokens
from passkey_app.local_cognito.sessions import AuthSession, ChallengeResult, session_store
from passkey_app.local_cognito.triggers import TriggerCaller, TriggerKind, invoke_trigger

CUSTOM_CHALLENGE = "CUSTOM_CHALLENGE"
DEFAULT_SESSION_VALIDITY_MINUTES = 3

# Derives the names unknown users go by; one per process, like the sessions.
_UNKNOWN_USER_KEY = secrets.token_bytes(32)


def start(
    pool: CognitoIdpUserPool, client: CognitoIdpUserPoolClient, auth_parameters: Mapping[str, Any]
) -> dict[str, Any]:
    """InitiateAuth / AdminInitiateAuth with AuthFlow CUSTOM_AUTH.

    An unknown user still runs the triggers (with ``userNotFound``, under a stand-in
    name) when the client prevents user existence errors, so the answer cannot tell the
    two apart.
    """
    username = checks.require_parameter(auth_parameters, "USERNAME")
    checks.require_secret_hash(
        client, usernames=(username,), secret_hash=auth_parameters.get("SECRET_HASH")
    )
    if not _lambda_config(pool).get(TriggerKind.DEFINE.value):
        raise InvalidParameterException(errors.CUSTOM_AUTH_NOT_CONFIGURED)
    user = pool._get_user(username)
    if user is None and not checks.prevents_user_existence_errors(client):
        raise UserNotFoundError(errors.USER_DOES_NOT_EXIST)
    login_name = username if user is not None else unknown_user_name(pool, username)
    # ClientMetadata of InitiateAuth goes to other triggers, never to these three.
    return _next_step(pool, client, user, login_name, history=(), client_metadata={})


def respond(
    pool: CognitoIdpUserPool,
    client: CognitoIdpUserPoolClient,
    *,
    session_token: object,
    responses: Mapping[str, Any],
    client_metadata: Mapping[str, str],
) -> dict[str, Any]:
    """RespondToAuthChallenge / AdminRespondToAuthChallenge for CUSTOM_CHALLENGE."""
    username = checks.require_parameter(responses, "USERNAME")
    checks.require_secret_hash(
        client, usernames=(username,), secret_hash=responses.get("SECRET_HASH")
    )
    answer = checks.require_parameter(responses, "ANSWER")
    session = session_store().consume(session_token)
    if (session.account_id, session.user_pool_id, session.client_id) != (
        pool.account_id,
        pool.id,
        client.id,
    ):
        raise NotAuthorizedError(errors.INVALID_SESSION)
    user = pool._get_user(session.username) if session.user_found else None
    if session.user_found and user is None:
        raise NotAuthorizedError(errors.INCORRECT_CREDENTIALS)
    if not _names_session_user(pool, session, username):
        raise NotAuthorizedError(errors.INVALID_SESSION)
    verdict = invoke_trigger(
        TriggerKind.VERIFY,
        lambda_config=_lambda_config(pool),
        caller=_caller(pool, client, user, session.username),
        request={
            "userAttributes": user_attributes(user),
            "privateChallengeParameters": dict(session.private_parameters),
            "challengeAnswer": answer,
            "clientMetadata": dict(client_metadata),
            "userNotFound": user is None,
        },
    )
    result = ChallengeResult(
        challenge_name=session.challenge_name,
        challenge_result=verdict.get("answerCorrect") is True,
        challenge_metadata=session.challenge_metadata,
    )
    return _next_step(
        pool,
        client,
        user,
        session.username,
        history=(*session.history, result),
        client_metadata=client_metadata,
    )


def unknown_user_name(pool: CognitoIdpUserPool, login_name: str) -> str:
    """The name an unknown user goes by (the event's ``userName``, the challenge's
    USERNAME). Where users sign in with an email or phone number, their internal name is
    a UUID, so an unknown one gets a UUID too, the same for the same name each time as a
    real user's is; otherwise the name as given, as a real user's would be."""
    if not pool.extended_config.get("UsernameAttributes"):
        return login_name
    digest = hmac.new(
        _UNKNOWN_USER_KEY, f"{pool.id}\n{login_name.lower()}".encode(), hashlib.sha256
    ).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


def user_attributes(user: CognitoIdpUser | None) -> dict[str, str]:
    """``request.userAttributes``: the user's attributes plus ``cognito:user_status``."""
    if user is None:
        return {}
    attributes = {str(name): str(value) for name, value in user.attribute_lookup.items()}
    status = user.status.value if isinstance(user.status, Enum) else str(user.status)
    attributes["cognito:user_status"] = status
    return attributes


def _next_step(
    pool: CognitoIdpUserPool,
    client: CognitoIdpUserPoolClient,
    user: CognitoIdpUser | None,
    login_name: str,
    *,
    history: tuple[ChallengeResult, ...],
    client_metadata: Mapping[str, str],
) -> dict[str, Any]:
    """Ask define what comes next and carry it out: fail, issue tokens, or challenge."""
    caller = _caller(pool, client, user, login_name)
    request: dict[str, Any] = {
        "userAttributes": user_attributes(user),
        "session": [entry.to_event() for entry in history],
        "clientMetadata": dict(client_metadata),
        "userNotFound": user is None,
    }
    decision = invoke_trigger(
        TriggerKind.DEFINE, lambda_config=_lambda_config(pool), caller=caller, request=request
    )
    if decision.get("failAuthentication") is True:
        raise NotAuthorizedError(errors.INCORRECT_CREDENTIALS)
    if decision.get("issueTokens") is True:
        if user is None:
            raise NotAuthorizedError(errors.INCORRECT_CREDENTIALS)
        _require_can_sign_in(user)
        return tokens.issue_tokens(pool, client, user)
    challenge_name = decision.get("challengeName")
    if challenge_name != CUSTOM_CHALLENGE:
        raise errors.InvalidLambdaResponseException(
            errors.UNRECOGNIZABLE_LAMBDA_OUTPUT
            if not challenge_name
            else f"The local Cognito stand-in supports only {CUSTOM_CHALLENGE} "
            f"in custom auth, not {challenge_name}"
        )
    return _issue_challenge(pool, client, caller, request, challenge_name, history=history)


def _issue_challenge(
    pool: CognitoIdpUserPool,
    client: CognitoIdpUserPoolClient,
    caller: TriggerCaller,
    request: Mapping[str, Any],
    challenge_name: str,
    *,
    history: tuple[ChallengeResult, ...],
) -> dict[str, Any]:
    """Have the create trigger make the challenge; hand it out under a new Session."""
    created = invoke_trigger(
        TriggerKind.CREATE,
        lambda_config=_lambda_config(pool),
        caller=caller,
        request={**request, "challengeName": challenge_name},
    )
    session = AuthSession(
        account_id=pool.account_id,
        region=pool.region,
        user_pool_id=pool.id,
        client_id=client.id,
        username=caller.user_name,
        user_found=not request["userNotFound"],
        challenge_name=challenge_name,
        challenge_metadata=_optional_string(created.get("challengeMetadata")),
        private_parameters=MappingProxyType(_string_map(created.get("privateChallengeParameters"))),
        history=history,
    )
    token = session_store().issue(session, validity_seconds=_session_validity_seconds(client))
    public = _string_map(created.get("publicChallengeParameters"))
    return {
        "ChallengeName": challenge_name,
        "Session": token,
        "ChallengeParameters": {**public, "USERNAME": caller.user_name},
    }


def _caller(
    pool: CognitoIdpUserPool,
    client: CognitoIdpUserPoolClient,
    user: CognitoIdpUser | None,
    login_name: str,
) -> TriggerCaller:
    return TriggerCaller(
        region=pool.region,
        user_pool_id=pool.id,
        client_id=client.id,
        user_name=str(user.username) if user is not None else login_name,
    )


def _names_session_user(pool: CognitoIdpUserPool, session: AuthSession, username: str) -> bool:
    """Whether the USERNAME of the answer names the user the session belongs to."""
    if not session.user_found:
        return session.username in (username, unknown_user_name(pool, username))
    named = pool._get_user(username)
    return named is not None and named.username == session.username


def _require_can_sign_in(user: CognitoIdpUser) -> None:
    # Checked only once the challenge is passed, so state never leaks before proof.
    if not user.enabled:
        raise NotAuthorizedError(errors.USER_DISABLED)
    if user.status == UserStatus.UNCONFIRMED:
        raise UserNotConfirmedException(errors.USER_NOT_CONFIRMED)


def _lambda_config(pool: CognitoIdpUserPool) -> Mapping[str, Any]:
    config = pool.extended_config.get("LambdaConfig")
    return config if isinstance(config, dict) else {}


def _session_validity_seconds(client: CognitoIdpUserPoolClient) -> float:
    minutes = client.extended_config.get("AuthSessionValidity") or DEFAULT_SESSION_VALIDITY_MINUTES
    return float(minutes) * 60


def _string_map(value: object) -> dict[str, str]:
    """Challenge parameters must be a map of strings, as the Lambda contract says."""
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(
        isinstance(key, str) and isinstance(item, str) for key, item in value.items()
    ):
        raise errors.InvalidLambdaResponseException(errors.UNRECOGNIZABLE_LAMBDA_OUTPUT)
    return dict(value)


def _optional_string(value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise errors.InvalidLambdaResponseException(errors.UNRECOGNIZABLE_LAMBDA_OUTPUT)
