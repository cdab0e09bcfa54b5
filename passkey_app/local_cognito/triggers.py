"""Lambda triggers run as Python functions, with the event shapes AWS documents.

A pool's LambdaConfig names functions by ARN; the registry maps a function name to a
handler. The three ``passkeys-*`` functions map to the handlers in ``lambdas/``,
imported on first use so this package imports nothing from them up front.
"""

from __future__ import annotations

import copy
import importlib
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from moto.cognitoidp.exceptions import InvalidParameterException

from passkey_app.local_cognito import errors

Event = dict[str, Any]
TriggerHandler = Callable[[Event, Any], Any]

SDK_VERSION = "aws-sdk-unknown-unknown"
_MAX_ERROR_TEXT = 200


class TriggerKind(StrEnum):
    """The custom-auth triggers, named as in LambdaConfig."""

    DEFINE = "DefineAuthChallenge"
    CREATE = "CreateAuthChallenge"
    VERIFY = "VerifyAuthChallengeResponse"

    @property
    def trigger_source(self) -> str:
        """The ``triggerSource`` of this trigger's events."""
        return f"{self.value}_Authentication"


_INITIAL_RESPONSES: dict[TriggerKind, dict[str, Any]] = {
    TriggerKind.DEFINE: {"challengeName": None, "issueTokens": None, "failAuthentication": None},
    TriggerKind.CREATE: {
        "publicChallengeParameters": None,
        "privateChallengeParameters": None,
        "challengeMetadata": None,
    },
    TriggerKind.VERIFY: {"answerCorrect": None},
}

DEFAULT_TRIGGERS: Mapping[str, str] = {
    "passkeys-define-auth-challenge": "lambdas.define_auth_challenge",
    "passkeys-create-auth-challenge": "lambdas.create_auth_challenge",
    "passkeys-verify-auth-challenge": "lambdas.verify_auth_challenge",
}

_registry: dict[str, TriggerHandler] = {}
_registry_lock = threading.Lock()


def register_trigger(function_name: str, handler: TriggerHandler) -> None:
    """Make ``handler`` the code of the Lambda function called ``function_name``."""
    with _registry_lock:
        _registry[function_name] = handler


def function_name_from_arn(arn: str) -> str:
    """``arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]`` -> name."""
    parts = arn.split(":")
    if len(parts) >= 7 and parts[0] == "arn" and parts[5] == "function":
        return parts[6]
    return arn


def resolve_trigger(arn: str) -> TriggerHandler | None:
    """The handler registered for the function this ARN names, if any."""
    name = function_name_from_arn(arn)
    with _registry_lock:
        handler = _registry.get(name)
    if handler is not None or name not in DEFAULT_TRIGGERS:
        return handler
    module = importlib.import_module(DEFAULT_TRIGGERS[name])
    loaded: TriggerHandler = module.handler
    with _registry_lock:
        return _registry.setdefault(name, loaded)


@dataclass(frozen=True)
class TriggerCaller:
    """Who a trigger is invoked for: the common top of every event."""

    region: str
    user_pool_id: str
    client_id: str
    user_name: str


@dataclass(frozen=True)
class LambdaContext:
    """The attributes of the Lambda context object a handler may read."""

    function_name: str
    invoked_function_arn: str
    aws_request_id: str
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 128
    log_group_name: str = ""
    log_stream_name: str = ""

    def get_remaining_time_in_millis(self) -> int:
        """Triggers run in-process here, so there is always the full 5 s Cognito allows."""
        return 5000


def build_event(kind: TriggerKind, caller: TriggerCaller, request: Mapping[str, Any]) -> Event:
    """The event AWS sends this trigger, around the given ``request``."""
    return {
        "version": "1",
        "region": caller.region,
        "userPoolId": caller.user_pool_id,
        "userName": caller.user_name,
        "callerContext": {"awsSdkVersion": SDK_VERSION, "clientId": caller.client_id},
        "triggerSource": kind.trigger_source,
        "request": copy.deepcopy(dict(request)),
        "response": dict(_INITIAL_RESPONSES[kind]),
    }


def invoke_trigger(
    kind: TriggerKind,
    *,
    lambda_config: Mapping[str, Any],
    caller: TriggerCaller,
    request: Mapping[str, Any],
) -> dict[str, Any]:
    """Run the pool's ``kind`` trigger and return the ``response`` part of its event.

    Errors are Cognito's: a trigger not configured, a function with no code here,
    a handler that raised, or output that is not an event.
    """
    arn = lambda_config.get(kind.value)
    if not isinstance(arn, str) or not arn:
        raise InvalidParameterException(errors.CUSTOM_AUTH_NOT_CONFIGURED)
    handler = resolve_trigger(arn)
    if handler is None:
        raise errors.UnexpectedLambdaException(
            f"{kind.value} invocation failed due to error ResourceNotFoundException."
        )
    context = LambdaContext(
        function_name=function_name_from_arn(arn),
        invoked_function_arn=arn,
        aws_request_id=str(uuid.uuid4()),
        log_group_name=f"/aws/lambda/{function_name_from_arn(arn)}",
    )
    try:
        result = handler(build_event(kind, caller, request), context)
    except Exception as exc:
        detail = str(exc)[:_MAX_ERROR_TEXT] or type(exc).__name__
        raise errors.UserLambdaValidationException(
            f"{kind.value} failed with error {detail}."
        ) from exc
    response = result.get("response") if isinstance(result, dict) else None
    if not isinstance(response, dict):
        raise errors.InvalidLambdaResponseException(errors.UNRECOGNIZABLE_LAMBDA_OUTPUT)
    return response
