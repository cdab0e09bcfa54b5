"""CUSTOM_AUTH through the stand-in: the triggers decide, sessions behave as Cognito's."""

from __future__ import annotations

import time
from typing import Any

import jwt
import pytest
from botocore.exceptions import ClientError
from moto.cognitoidp.models import cognitoidp_backends
from moto.utilities.utils import load_resource

from lambdas import create_auth_challenge, define_auth_challenge, verify_auth_challenge
from lambdas.proof import ProofMethod
from passkey_app.local_cognito import register_trigger, session_store
from passkey_app.local_cognito.pool import ACCOUNT_ID
from tests.local_cognito.conftest import StandIn, error_of, random_key_ring, secret_hash

ALICE = "alice@example.com"
INCORRECT = ("NotAuthorizedException", "Incorrect username or password.")


def _verify_id_token(stand_in: StandIn, token: str) -> dict[str, Any]:
    jwks = load_resource("cognitoidp/resources/jwks-public.json")
    key = jwt.PyJWK(jwks["keys"][0]).key
    pool = stand_in.pool
    claims: dict[str, Any] = jwt.decode(
        token,
        key,
        algorithms=["RS256"],
        audience=pool.client_id,
        issuer=f"https://cognito-idp.{pool.region}.amazonaws.com/{pool.user_pool_id}",
    )
    return claims


def test_a_signed_proof_mints_tokens_moto_accepts(stand_in: StandIn) -> None:
    username, sub = stand_in.user(ALICE)
    challenge = stand_in.start_custom_auth(ALICE)
    assert challenge["ChallengeName"] == "CUSTOM_CHALLENGE"
    assert challenge["ChallengeParameters"]["USERNAME"] == username
    nonce = challenge["ChallengeParameters"]["nonce"]

    answered = stand_in.answer(ALICE, challenge["Session"], stand_in.proof(sub=sub, nonce=nonce))

    result = answered["AuthenticationResult"]
    assert (result["TokenType"], result["ExpiresIn"]) == ("Bearer", 3600)
    assert stand_in.client.get_user(AccessToken=result["AccessToken"])["Username"] == username
    claims = _verify_id_token(stand_in, result["IdToken"])
    assert (claims["sub"], claims["email"], claims["token_use"]) == (sub, ALICE, "id")
    assert result["RefreshToken"]


@pytest.mark.parametrize("method", list(ProofMethod))
def test_the_stand_ins_triggers_accept_every_method_the_app_signs(
    stand_in: StandIn, method: ProofMethod
) -> None:
    _, sub = stand_in.user(ALICE)
    challenge = stand_in.start_custom_auth(ALICE)
    nonce = challenge["ChallengeParameters"]["nonce"]
    proof = stand_in.proof(sub=sub, nonce=nonce, method=method)
    answered = stand_in.answer(ALICE, challenge["Session"], proof)
    assert answered["AuthenticationResult"]["AccessToken"]


def test_the_public_endpoints_run_the_same_flow(stand_in: StandIn) -> None:
    pool, client = stand_in.pool, stand_in.client
    _, sub = stand_in.user(ALICE)
    challenge = client.initiate_auth(
        ClientId=pool.client_id,
        AuthFlow="CUSTOM_AUTH",
        AuthParameters={"USERNAME": ALICE, "SECRET_HASH": secret_hash(pool, ALICE)},
    )
    answered = client.respond_to_auth_challenge(
        ClientId=pool.client_id,
        ChallengeName="CUSTOM_CHALLENGE",
        Session=challenge["Session"],
        ChallengeResponses={
            "USERNAME": ALICE,
            "SECRET_HASH": secret_hash(pool, ALICE),
            "ANSWER": stand_in.proof(sub=sub, nonce=challenge["ChallengeParameters"]["nonce"]),
        },
    )
    assert _verify_id_token(stand_in, answered["AuthenticationResult"]["IdToken"])["sub"] == sub


def test_a_wrong_answer_fails(stand_in: StandIn) -> None:
    _, sub = stand_in.user(ALICE)
    challenge = stand_in.start_custom_auth(ALICE)
    _, foreign_ring = random_key_ring()
    forged = stand_in.proof(
        sub=sub, nonce=challenge["ChallengeParameters"]["nonce"], key_ring=foreign_ring
    )
    with pytest.raises(ClientError) as failure:
        stand_in.answer(ALICE, challenge["Session"], forged)
    assert error_of(failure) == INCORRECT


def test_a_session_is_single_use(stand_in: StandIn) -> None:
    _, sub = stand_in.user(ALICE)
    challenge = stand_in.start_custom_auth(ALICE)
    proof = stand_in.proof(sub=sub, nonce=challenge["ChallengeParameters"]["nonce"])
    stand_in.answer(ALICE, challenge["Session"], proof)
    with pytest.raises(ClientError) as failure:
        stand_in.answer(ALICE, challenge["Session"], proof)
    assert error_of(failure) == ("NotAuthorizedException", "Invalid session for the user.")


def test_a_session_expires_after_the_clients_auth_session_validity(stand_in: StandIn) -> None:
    _, sub = stand_in.user(ALICE)
    store = session_store()
    start = time.time()
    store.clock = lambda: start
    late = stand_in.start_custom_auth(ALICE)
    in_time = stand_in.start_custom_auth(ALICE)

    store.clock = lambda: start + 3 * 60 - 1
    stand_in.answer(
        ALICE,
        in_time["Session"],
        stand_in.proof(sub=sub, nonce=in_time["ChallengeParameters"]["nonce"]),
    )
    store.clock = lambda: start + 3 * 60
    with pytest.raises(ClientError) as failure:
        stand_in.answer(
            ALICE,
            late["Session"],
            stand_in.proof(sub=sub, nonce=late["ChallengeParameters"]["nonce"]),
        )
    assert error_of(failure) == (
        "NotAuthorizedException",
        "Invalid session for the user, session is expired.",
    )


def test_a_session_answered_for_another_user_is_rejected(stand_in: StandIn) -> None:
    _, bob_sub = stand_in.user("bob@example.com")
    challenge = stand_in.start_custom_auth(ALICE)
    proof = stand_in.proof(sub=bob_sub, nonce=challenge["ChallengeParameters"]["nonce"])
    with pytest.raises(ClientError) as failure:
        stand_in.answer("bob@example.com", challenge["Session"], proof)
    assert error_of(failure) == ("NotAuthorizedException", "Invalid session for the user.")


def test_every_round_gets_a_new_session_and_the_triggers_get_aws_events(
    stand_in: StandIn,
) -> None:
    """A define that allows two rounds; events are recorded on the way through."""
    events: list[dict[str, Any]] = []

    def two_rounds(event: dict[str, Any], context: Any) -> dict[str, Any]:
        events.append(event)
        session = event["request"]["session"]
        if len(session) == 1 and not session[0]["challengeResult"]:
            event["response"].update(challengeName="CUSTOM_CHALLENGE", issueTokens=False)
            event["response"]["failAuthentication"] = False
            return event
        if len(session) == 2:
            event["response"].update(issueTokens=True, failAuthentication=False)
            return event
        return define_auth_challenge.handler(event, context)

    def recording(handler: Any) -> Any:
        def record(event: dict[str, Any], context: Any) -> Any:
            events.append(event)
            return handler(event, context)

        return record

    register_trigger("contract-define", two_rounds)
    register_trigger("contract-create", recording(create_auth_challenge.handler))
    register_trigger("contract-verify", recording(verify_auth_challenge.handler))
    _use_triggers(stand_in, "contract-define", "contract-create", "contract-verify")
    username, sub = stand_in.user(ALICE)

    first = stand_in.start_custom_auth(ALICE)
    second = stand_in.answer(ALICE, first["Session"], "not a proof")
    assert second["ChallengeName"] == "CUSTOM_CHALLENGE"
    assert second["Session"] != first["Session"]
    done = stand_in.answer(
        ALICE,
        second["Session"],
        stand_in.proof(sub=sub, nonce=second["ChallengeParameters"]["nonce"]),
    )
    assert "AccessToken" in done["AuthenticationResult"]

    sources = [event["triggerSource"] for event in events]
    assert sources == [
        "DefineAuthChallenge_Authentication",
        "CreateAuthChallenge_Authentication",
        "VerifyAuthChallengeResponse_Authentication",
        "DefineAuthChallenge_Authentication",
        "CreateAuthChallenge_Authentication",
        "VerifyAuthChallengeResponse_Authentication",
        "DefineAuthChallenge_Authentication",
    ]
    last_define = events[-1]
    assert last_define["version"] == "1"
    assert last_define["region"] == "us-east-1"
    assert last_define["userPoolId"] == stand_in.pool.user_pool_id
    assert last_define["userName"] == username
    assert last_define["callerContext"]["clientId"] == stand_in.pool.client_id
    assert last_define["request"]["userNotFound"] is False
    assert last_define["request"]["userAttributes"]["sub"] == sub
    assert last_define["request"]["userAttributes"]["email"] == ALICE
    assert last_define["request"]["userAttributes"]["cognito:user_status"] == "CONFIRMED"
    assert last_define["request"]["session"] == [
        {
            "challengeName": "CUSTOM_CHALLENGE",
            "challengeResult": False,
            "challengeMetadata": "PROOF_V1",
        },
        {
            "challengeName": "CUSTOM_CHALLENGE",
            "challengeResult": True,
            "challengeMetadata": "PROOF_V1",
        },
    ]
    verify = events[2]
    assert verify["request"]["challengeAnswer"] == "not a proof"
    assert set(verify["request"]["privateChallengeParameters"]) == {"nonce"}


def test_a_trigger_without_code_is_an_unexpected_lambda_error(stand_in: StandIn) -> None:
    _use_triggers(stand_in, "no-such-function", "no-such-function", "no-such-function")
    with pytest.raises(ClientError) as failure:
        stand_in.start_custom_auth(ALICE)
    assert error_of(failure) == (
        "UnexpectedLambdaException",
        "DefineAuthChallenge invocation failed due to error ResourceNotFoundException.",
    )


def test_a_trigger_that_raises_fails_validation(stand_in: StandIn) -> None:
    def broken(event: dict[str, Any], context: Any) -> dict[str, Any]:
        raise RuntimeError("boom")

    register_trigger("contract-broken", broken)
    _use_triggers(stand_in, "contract-broken", "contract-broken", "contract-broken")
    with pytest.raises(ClientError) as failure:
        stand_in.start_custom_auth(ALICE)
    assert error_of(failure) == (
        "UserLambdaValidationException",
        "DefineAuthChallenge failed with error boom.",
    )


def _use_triggers(stand_in: StandIn, define: str, create: str, verify: str) -> None:
    """Point the pool's LambdaConfig at other functions.

    Set on moto's pool directly: UpdateUserPool resets every setting it is not given,
    in Cognito as in moto, which would drop the email sign-in this test relies on.
    """
    arn = "arn:aws:lambda:us-east-1:123456789012:function:"
    pool = cognitoidp_backends[ACCOUNT_ID]["us-east-1"].user_pools[stand_in.pool.user_pool_id]
    pool.extended_config["LambdaConfig"] = {
        "DefineAuthChallenge": arn + define,
        "CreateAuthChallenge": arn + create,
        "VerifyAuthChallengeResponse": arn + verify,
    }
