"""DefineAuthChallenge trigger: one CUSTOM_CHALLENGE round, tokens only if it passed.

An unknown user (``userNotFound``, sent when the app client prevents user existence
errors) gets the same first round as anyone, so the answer to AdminInitiateAuth does
not tell whether the user exists; that round can never pass.

Handler string: ``lambdas.define_auth_challenge.handler``.
"""

import logging
from collections.abc import Callable
from typing import Any

from lambdas import config

CUSTOM_CHALLENGE = "CUSTOM_CHALLENGE"

logger = logging.getLogger(__name__)

Event = dict[str, Any]
Outcome = Callable[[Event], Event]


def handler(event: Event, context: object) -> Event:
    """Decide the next step of a CUSTOM_AUTH flow; any error denies."""
    try:
        outcome, reason = _decide(event)
    except Exception as exc:
        logger.warning("define auth challenge: deny (%s)", _describe_error(exc))
        return _deny(event)
    logger.info("define auth challenge: %s (%s)", outcome.__name__.lstrip("_"), reason)
    return outcome(event)


def _decide(event: Event) -> tuple[Outcome, str]:
    request = event["request"]
    if event["callerContext"]["clientId"] not in config.get_config().allowed_client_ids:
        return _deny, "app client not allowed"
    session = request.get("session") or []
    if any(entry.get("challengeName") != CUSTOM_CHALLENGE for entry in session):
        return _deny, "session holds a challenge other than CUSTOM_CHALLENGE"
    if not session:
        return _custom_challenge, "first round"
    if request.get("userNotFound"):
        return _deny, "user not found"
    if len(session) > 1:
        return _deny, "second attempt"
    if session[0].get("challengeResult") is not True:
        return _deny, "wrong answer"
    return _allow, "proof accepted"


def _custom_challenge(event: Event) -> Event:
    _response(event).update(
        challengeName=CUSTOM_CHALLENGE, issueTokens=False, failAuthentication=False
    )
    return event


def _allow(event: Event) -> Event:
    _response(event).update(issueTokens=True, failAuthentication=False)
    return event


def _deny(event: Event) -> Event:
    _response(event).update(issueTokens=False, failAuthentication=True)
    return event


def _response(event: Event) -> dict[str, Any]:
    response = event.get("response")
    if not isinstance(response, dict):
        response = event["response"] = {}
    return response


def _describe_error(exc: Exception) -> str:
    if isinstance(exc, config.ConfigError):
        return f"configuration error: {exc}"
    return f"error: {type(exc).__name__}"
