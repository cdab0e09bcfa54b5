"""Mint a Cognito session for a factor the app has already verified itself.

CUSTOM_AUTH round: the create trigger issues a nonce; the app answers with an
HMAC-signed proof binding pool, client, user, nonce, method and credential; the
verify trigger checks every part of it before Cognito issues tokens.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from lambdas.proof import KeyRing, ProofMethod, new_claims, sign_proof
from passkey_app.services.audit import ClientInfo
from passkey_app.services.cognito.gateway import CognitoGateway, CognitoTokens

PROOF_LIFETIME_SECONDS = 30


def mint_cognito_session(
    *,
    gateway: CognitoGateway,
    key_ring: KeyRing,
    username: str,
    sub: str,
    method: ProofMethod,
    credential_id: str | None = None,
    client: ClientInfo | None = None,
    now: Callable[[], float] = time.time,
) -> CognitoTokens:
    """Run the CUSTOM_AUTH round for a verified factor and return Cognito's tokens;
    ``client`` (the person's address and browser) is passed on to Cognito."""
    challenge = gateway.start_custom_auth(username=username, client=client)
    claims = new_claims(
        pool_id=gateway.pool.user_pool_id,
        client_id=gateway.pool.client_id,
        sub=sub,
        nonce=challenge.nonce,
        method=method,
        credential_id=credential_id,
        now=int(now()),
        lifetime_seconds=PROOF_LIFETIME_SECONDS,
    )
    proof = sign_proof(claims=claims, key_ring=key_ring)
    return gateway.answer_custom_challenge(challenge=challenge, answer=proof, client=client)
