"""The stand-in's entry point: extend moto's cognito-idp response layer in place.

``install()`` replaces nine of ``CognitoIdpResponse``'s actions and adds RevokeToken, and
puts every cognito-idp request through the quotas (``quotas.py``; off until enabled).
Both ``mock_aws()`` and moto's server dispatch to these class attributes per request,
so one install covers the process, in either mode. The four auth actions run Cognito's
checks (client, ExplicitAuthFlows, SECRET_HASH), handle CUSTOM_AUTH and refresh
themselves, and hand the remaining flows to moto's original method; the two global
sign-outs revoke the user's tokens whatever name they were issued under; password
recovery mails its codes and checks them (``recovery.py``). A user is found by email
through a map (``user_index.py``), not moto's scan of the whole pool.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

from moto.cognitoidp.exceptions import (
    InvalidParameterException,
    NotAuthorizedError,
    ResourceNotFoundError,
    UserNotFoundError,
)
from moto.cognitoidp.models import CognitoIdpUserPool, CognitoIdpUserPoolClient
from moto.cognitoidp.responses import CognitoIdpResponse
from moto.core.responses import ActionResult, EmptyResult

from passkey_app.local_cognito import (
    checks,
    custom_auth,
    errors,
    mail_times,
    quotas,
    recovery,
    tokens,
    user_index,
)
from passkey_app.local_cognito.checks import AuthFlow
from passkey_app.local_cognito.sessions import session_store

Action = Callable[[CognitoIdpResponse], Any]

_originals: dict[str, Action | None] = {}
_install_lock = threading.Lock()


def install() -> None:
    """Extend moto's cognito-idp with the Cognito behaviour it lacks. Idempotent."""
    with _install_lock:
        if _originals:
            return
        for name, action in _ACTIONS.items():
            _originals[name] = getattr(CognitoIdpResponse, name, None)
            setattr(CognitoIdpResponse, name, action)
        mail_times.install()
        user_index.install()


def uninstall() -> None:
    """Give moto back its own actions, forget every custom-auth session, lift quotas."""
    with _install_lock:
        for name, original in _originals.items():
            if original is None:
                delattr(CognitoIdpResponse, name)
            else:
                setattr(CognitoIdpResponse, name, original)
        _originals.clear()
        session_store().clear()
        mail_times.uninstall()
        user_index.uninstall()
        recovery.reset_codes().clear()
        quotas.enable(None)


def is_installed() -> bool:
    """Whether ``install()`` is in effect."""
    return bool(_originals)


def _call_action(response: CognitoIdpResponse) -> Any:
    """Every request: over its category's quota, Cognito's throttling answer (as moto
    renders an error: status, JSON ``__type`` + ``message``); else moto's dispatch."""
    try:
        quotas.check(response._get_action(), bulk_load=quotas.is_bulk_load(response.headers))
    except quotas.TooManyRequestsException as refusal:
        headers: dict[str, Any] = dict(response.response_headers)
        headers.update(refusal.get_headers())
        headers["status"] = str(refusal.code)
        headers, body = response._enrich_response(headers, refusal.description)
        return refusal.code, headers, body
    return _original("call_action")(response)


def _initiate_auth(response: CognitoIdpResponse) -> ActionResult:
    flow = checks.parse_auth_flow(response._get_param("AuthFlow"), allowed=checks.USER_FLOWS)
    pool, client = checks.find_client(
        response._get_param("ClientId"), account_id=response.current_account, region=response.region
    )
    return _run_flow(response, "initiate_auth", pool, client, flow)


def _admin_initiate_auth(response: CognitoIdpResponse) -> ActionResult:
    flow = checks.parse_auth_flow(response._get_param("AuthFlow"), allowed=checks.ADMIN_FLOWS)
    pool, client = checks.find_client_in_pool(
        response.backend, response._get_param("UserPoolId"), response._get_param("ClientId")
    )
    return _run_flow(response, "admin_initiate_auth", pool, client, flow)


def _respond_to_auth_challenge(response: CognitoIdpResponse) -> ActionResult:
    pool, client = checks.find_client(
        response._get_param("ClientId"), account_id=response.current_account, region=response.region
    )
    return _respond(response, "respond_to_auth_challenge", pool, client)


def _admin_respond_to_auth_challenge(response: CognitoIdpResponse) -> ActionResult:
    pool, client = checks.find_client_in_pool(
        response.backend, response._get_param("UserPoolId"), response._get_param("ClientId")
    )
    return _respond(response, "admin_respond_to_auth_challenge", pool, client)


def _revoke_token(response: CognitoIdpResponse) -> ActionResult:
    token = response._get_param("Token")
    if not isinstance(token, str) or not token:
        raise InvalidParameterException(errors.missing_parameter("Token"))
    try:
        pool, client = checks.find_client(
            response._get_param("ClientId"),
            account_id=response.current_account,
            region=response.region,
        )
    except ResourceNotFoundError:
        raise tokens.revoke_client_error() from None
    tokens.revoke_refresh_token(
        pool, client, token=token, client_secret=response._get_param("ClientSecret")
    )
    return EmptyResult()


def _admin_user_global_sign_out(response: CognitoIdpResponse) -> ActionResult:
    pool = response.backend.describe_user_pool(response._get_param("UserPoolId"))
    # By username, alias or (where the username is the sub) sub; UserNotFound otherwise.
    user = response.backend.admin_get_user(pool.id, str(response._get_param("Username")))
    tokens.sign_out_user(pool, user)
    return EmptyResult()


def _global_sign_out(response: CognitoIdpResponse) -> ActionResult:
    access_token = response._get_param("AccessToken")
    for pool in response.backend.user_pools.values():
        record = pool.access_tokens.get(access_token) if isinstance(access_token, str) else None
        user = pool._get_user(record[1]) if record is not None else None
        if user is not None:
            tokens.sign_out_user(pool, user)
            return EmptyResult()
    result: ActionResult = _original("global_sign_out")(response)  # moto's refusal
    return result


def _forgot_password(response: CognitoIdpResponse) -> ActionResult:
    pool, client = checks.find_client(
        response._get_param("ClientId"), account_id=response.current_account, region=response.region
    )
    return ActionResult(recovery.forgot_password(pool, client, _parameters(response)))


def _confirm_forgot_password(response: CognitoIdpResponse) -> ActionResult:
    pool, client = checks.find_client(
        response._get_param("ClientId"), account_id=response.current_account, region=response.region
    )
    recovery.confirm_forgot_password(pool, client, _parameters(response))
    return EmptyResult()


def _admin_reset_user_password(response: CognitoIdpResponse) -> ActionResult:
    result: ActionResult = _original("admin_reset_user_password")(response)
    pool = response.backend.describe_user_pool(response._get_param("UserPoolId"))
    recovery.after_admin_reset(pool, str(response._get_param("Username")))
    return result


def _parameters(response: CognitoIdpResponse) -> dict[str, Any]:
    return {
        name: response._get_param(name)
        for name in ("Username", "SecretHash", "ConfirmationCode", "Password")
    }


def _run_flow(
    response: CognitoIdpResponse,
    action: str,
    pool: CognitoIdpUserPool,
    client: CognitoIdpUserPoolClient,
    flow: AuthFlow,
) -> ActionResult:
    parameters = _mapping(response._get_param("AuthParameters"))
    checks.require_flow_enabled(client, flow)
    if flow is AuthFlow.CUSTOM_AUTH:
        return ActionResult(custom_auth.start(pool, client, parameters))
    if flow in checks.REFRESH_FLOWS:
        return ActionResult(tokens.refresh_tokens(pool, client, parameters))
    username = checks.require_parameter(parameters, "USERNAME")
    checks.require_secret_hash(
        client, usernames=(username,), secret_hash=parameters.get("SECRET_HASH")
    )
    recovery.refuse_reset_required(pool, username)
    return _password_flow(response, action, client, username)


def _password_flow(
    response: CognitoIdpResponse, action: str, client: CognitoIdpUserPoolClient, username: str
) -> ActionResult:
    """Moto's own password flows, with Cognito's answer for a wrong name or password."""
    try:
        return _original(action)(response)
    except UserNotFoundError:
        if checks.prevents_user_existence_errors(client):
            raise NotAuthorizedError(errors.INCORRECT_CREDENTIALS) from None
        raise
    except NotAuthorizedError as exc:
        # Moto's admin flow names the user as the message of a wrong password.
        if exc.message == username:
            raise NotAuthorizedError(errors.INCORRECT_CREDENTIALS) from None
        raise


def _respond(
    response: CognitoIdpResponse,
    action: str,
    pool: CognitoIdpUserPool,
    client: CognitoIdpUserPoolClient,
) -> ActionResult:
    responses = _mapping(response._get_param("ChallengeResponses"))
    if response._get_param("ChallengeName") == custom_auth.CUSTOM_CHALLENGE:
        return ActionResult(
            custom_auth.respond(
                pool,
                client,
                session_token=response._get_param("Session"),
                responses=responses,
                client_metadata=_mapping(response._get_param("ClientMetadata")),
            )
        )
    if client.generate_secret:
        username = checks.require_parameter(responses, "USERNAME")
        checks.require_secret_hash(
            client, usernames=(username,), secret_hash=responses.get("SECRET_HASH")
        )
    result: ActionResult = _original(action)(response)
    return result


def _original(action: str) -> Action:
    original = _originals.get(action)
    if original is None:
        raise RuntimeError(f"moto's CognitoIdpResponse.{action} is missing")
    return original


def _mapping(value: object) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InvalidParameterException()
    return dict(value)


_ACTIONS: dict[str, Action] = {
    "call_action": _call_action,
    "initiate_auth": _initiate_auth,
    "admin_initiate_auth": _admin_initiate_auth,
    "respond_to_auth_challenge": _respond_to_auth_challenge,
    "admin_respond_to_auth_challenge": _admin_respond_to_auth_challenge,
    "revoke_token": _revoke_token,
    "admin_user_global_sign_out": _admin_user_global_sign_out,
    "global_sign_out": _global_sign_out,
    "forgot_password": _forgot_password,
    "confirm_forgot_password": _confirm_forgot_password,
    "admin_reset_user_password": _admin_reset_user_password,
}
