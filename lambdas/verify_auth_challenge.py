"""VerifyAuthChallengeResponse trigger: accept the answer only if it is a valid proof.

The answer must be a proof token (see ``lambdas.proof``) bound to this pool, app
client, user and the nonce the create trigger issued. The answer starts out wrong and
any error leaves it wrong; for an unknown user (``userNotFound``) it is always wrong.
Logs carry the outcome, the method and the user's sub, never the answer, the nonce or
a key.

Handler string: ``lambdas.verify_auth_challenge.handler``.
"""

import logging
import time
from typing import Any

from lambdas import config, proof

logger = logging.getLogger(__name__)

Event = dict[str, Any]


class AnswerRejectedError(Exception):
    """The answer was refused before proof verification; the message is the reason."""


def handler(event: Event, context: object) -> Event:
    """Set ``response.answerCorrect``: true only for a valid proof for this login."""
    response = event.get("response")
    if not isinstance(response, dict):
        response = event["response"] = {}
    response["answerCorrect"] = False
    try:
        claims = _verify(event)
    except Exception as exc:
        logger.warning(
            "verify auth challenge: rejected (%s) sub=%s", _describe_error(exc), _sub(event)
        )
        return event
    response["answerCorrect"] = True
    logger.info("verify auth challenge: accepted method=%s sub=%s", claims.method.value, claims.sub)
    return event


def _verify(event: Event) -> proof.ProofClaims:
    request = event["request"]
    if request.get("userNotFound"):
        raise AnswerRejectedError("user not found")
    answer = request.get("challengeAnswer")
    if not isinstance(answer, str):
        raise AnswerRejectedError("answer is not a string")
    if len(answer) > proof.MAX_PROOF_TOKEN_LENGTH:
        raise AnswerRejectedError("answer too large")
    settings = config.get_config()
    client_id = event["callerContext"]["clientId"]
    if client_id not in settings.allowed_client_ids:
        raise AnswerRejectedError("app client not allowed")
    return proof.verify_proof(
        answer,
        key_ring=settings.key_ring,
        expected_pool_id=event["userPoolId"],
        expected_client_id=client_id,
        expected_sub=request["userAttributes"]["sub"],
        expected_nonce=request["privateChallengeParameters"]["nonce"],
        allowed_methods=settings.allowed_methods,
        now=int(time.time()),
    )


def _describe_error(exc: Exception) -> str:
    """A log-safe reason: our own messages, otherwise only the exception type."""
    if isinstance(exc, proof.ProofError):
        return f"proof {exc.reason.value}"
    if isinstance(exc, AnswerRejectedError | config.ConfigError):
        return str(exc)
    return f"error {type(exc).__name__}"


def _sub(event: Event) -> str:
    try:
        sub = event["request"]["userAttributes"]["sub"]
    except (KeyError, TypeError):
        return "-"
    return sub if isinstance(sub, str) else "-"
