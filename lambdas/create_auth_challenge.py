"""CreateAuthChallenge trigger: issue a fresh nonce the app must bind into its proof.

The nonce is not a secret (the HMAC key is), so it is also public: the app reads it
from the challenge parameters and signs a proof over it. An unknown user
(``userNotFound``) gets a nonce made the same way, so the challenge does not tell
whether the user exists. Raising here makes Cognito fail the authentication.

Handler string: ``lambdas.create_auth_challenge.handler``.
"""

import logging
import secrets
from typing import Any

from lambdas import config

CUSTOM_CHALLENGE = "CUSTOM_CHALLENGE"
CHALLENGE_METADATA = "PROOF_V1"
NONCE_BYTES = 32

logger = logging.getLogger(__name__)

Event = dict[str, Any]


class ChallengeRefusedError(Exception):
    """This trigger will not issue a challenge for the request."""


def handler(event: Event, context: object) -> Event:
    """Attach a new random nonce to a CUSTOM_CHALLENGE, known user or not; refuse
    anything else."""
    request = event["request"]
    if request.get("challengeName") != CUSTOM_CHALLENGE:
        raise ChallengeRefusedError("only CUSTOM_CHALLENGE is issued")
    if event["callerContext"]["clientId"] not in config.get_config().allowed_client_ids:
        raise ChallengeRefusedError("app client not allowed")
    nonce = secrets.token_urlsafe(NONCE_BYTES)
    event["response"] = {
        "publicChallengeParameters": {"nonce": nonce},
        "privateChallengeParameters": {"nonce": nonce},
        "challengeMetadata": CHALLENGE_METADATA,
    }
    unknown = " (user not found)" if request.get("userNotFound") else ""
    logger.info("create auth challenge: issued%s", unknown)
    return event
