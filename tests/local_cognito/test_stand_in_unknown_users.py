"""CUSTOM_AUTH for a name that matches no user, with PreventUserExistenceErrors ENABLED:
the caller gets what a known user with a bad proof gets, from the first call to the
last, through the admin and the public endpoints."""

from __future__ import annotations

import base64
import uuid
from typing import Any, Protocol

import pytest
from botocore.exceptions import ClientError
from moto.cognitoidp.models import cognitoidp_backends

from lambdas import create_auth_challenge, define_auth_challenge, verify_auth_challenge
from passkey_app.local_cognito import register_trigger
from passkey_app.local_cognito.pool import ACCOUNT_ID
from tests.local_cognito.conftest import StandIn, error_of, random_key_ring, secret_hash

ALICE, NOBODY = "alice@example.com", "nobody@example.com"
INCORRECT = ("NotAuthorizedException", "Incorrect username or password.")
INVALID_SESSION = ("NotAuthorizedException", "Invalid session for the user.")
FOREIGN_SUB = "11111111-2222-4333-8444-555555555555"


class Endpoints(Protocol):
    """One way in: AdminInitiateAuth + AdminRespond..., or InitiateAuth + Respond..."""

    def start(self, stand_in: StandIn, name: str) -> dict[str, Any]: ...

    def answer(self, stand_in: StandIn, name: str, session: str, answer: str) -> dict[str, Any]: ...


class AdminEndpoints:
    """The calls the app makes."""

    def start(self, stand_in: StandIn, name: str) -> dict[str, Any]:
        return stand_in.start_custom_auth(name)

    def answer(self, stand_in: StandIn, name: str, session: str, answer: str) -> dict[str, Any]:
        return stand_in.answer(name, session, answer)


class PublicEndpoints:
    """The unsigned calls anyone holding the client secret can make."""

    def start(self, stand_in: StandIn, name: str) -> dict[str, Any]:
        result: dict[str, Any] = stand_in.client.initiate_auth(
            ClientId=stand_in.pool.client_id,
            AuthFlow="CUSTOM_AUTH",
            AuthParameters={"USERNAME": name, "SECRET_HASH": secret_hash(stand_in.pool, name)},
        )
        return result

    def answer(self, stand_in: StandIn, name: str, session: str, answer: str) -> dict[str, Any]:
        result: dict[str, Any] = stand_in.client.respond_to_auth_challenge(
            ClientId=stand_in.pool.client_id,
            ChallengeName="CUSTOM_CHALLENGE",
            Session=session,
            ChallengeResponses={
                "USERNAME": name,
                "ANSWER": answer,
                "SECRET_HASH": secret_hash(stand_in.pool, name),
            },
        )
        return result


@pytest.fixture(params=[AdminEndpoints(), PublicEndpoints()], ids=["admin", "public"])
def endpoints(request: pytest.FixtureRequest) -> Endpoints:
    """Each way in, in turn."""
    endpoints: Endpoints = request.param
    return endpoints


def _shape(challenge: dict[str, Any]) -> dict[str, Any]:
    """What a caller can observe of a challenge, without the values that vary."""
    parameters = challenge["ChallengeParameters"]
    nonce = parameters["nonce"]
    return {
        "name": challenge["ChallengeName"],
        "parameters": sorted(parameters),
        "nonce": (len(nonce), len(base64.urlsafe_b64decode(nonce + "="))),
        "username_is_a_uuid": str(uuid.UUID(parameters["USERNAME"])) == parameters["USERNAME"],
        "session": len(challenge["Session"]),
        "result": "AuthenticationResult" in challenge,
    }


def _bad_proof(stand_in: StandIn, name: str, challenge: dict[str, Any]) -> str:
    """The best an attacker can do: a proof for the right nonce under a key of its own
    (for Alice), or under the real key for some sub (for an unknown name)."""
    nonce = challenge["ChallengeParameters"]["nonce"]
    if name == ALICE:
        _, foreign_ring = random_key_ring()
        return stand_in.proof(sub=stand_in.user(ALICE)[1], nonce=nonce, key_ring=foreign_ring)
    return stand_in.proof(sub=FOREIGN_SUB, nonce=nonce)


def _refusal(stand_in: StandIn, endpoints: Endpoints, name: str, answer_as: str) -> tuple[str, str]:
    challenge = endpoints.start(stand_in, name)
    proof = _bad_proof(stand_in, name, challenge)
    with pytest.raises(ClientError) as failure:
        endpoints.answer(stand_in, answer_as, challenge["Session"], proof)
    return error_of(failure)


def test_an_unknown_user_gets_a_challenge_shaped_like_a_known_users(
    stand_in: StandIn, endpoints: Endpoints
) -> None:
    known = endpoints.start(stand_in, ALICE)
    unknown = endpoints.start(stand_in, NOBODY)
    assert _shape(unknown) == _shape(known)
    assert _shape(unknown) == {
        "name": "CUSTOM_CHALLENGE",
        "parameters": ["USERNAME", "nonce"],
        "nonce": (43, 32),
        "username_is_a_uuid": True,
        "session": len(known["Session"]),
        "result": False,
    }


def test_an_unknown_user_and_a_bad_proof_get_the_same_refusal(
    stand_in: StandIn, endpoints: Endpoints
) -> None:
    assert _refusal(stand_in, endpoints, ALICE, ALICE) == INCORRECT
    assert _refusal(stand_in, endpoints, NOBODY, NOBODY) == INCORRECT


def test_an_unknown_user_may_answer_under_the_name_it_was_given_like_a_known_user(
    stand_in: StandIn, endpoints: Endpoints
) -> None:
    for name in (ALICE, NOBODY):
        challenge = endpoints.start(stand_in, name)
        given = challenge["ChallengeParameters"]["USERNAME"]
        proof = _bad_proof(stand_in, name, challenge)
        with pytest.raises(ClientError) as failure:
            endpoints.answer(stand_in, given, challenge["Session"], proof)
        assert error_of(failure) == INCORRECT, name


def test_an_answer_under_another_name_is_refused_alike(
    stand_in: StandIn, endpoints: Endpoints
) -> None:
    other = "bob@example.com"
    assert _refusal(stand_in, endpoints, ALICE, other) == INVALID_SESSION
    assert _refusal(stand_in, endpoints, NOBODY, other) == INVALID_SESSION
    assert _refusal(stand_in, endpoints, NOBODY, "nobody-else@example.com") == INVALID_SESSION


def test_an_unknown_name_keeps_its_stand_in_username_like_a_known_user(
    stand_in: StandIn,
) -> None:
    def username(name: str) -> str:
        challenge = stand_in.start_custom_auth(name)
        parameters: dict[str, str] = challenge["ChallengeParameters"]
        return parameters["USERNAME"]

    assert username(ALICE) == username(ALICE) == stand_in.user(ALICE)[0]
    assert username(NOBODY) == username(NOBODY)
    assert username(NOBODY) == username("Nobody@Example.com")
    assert len({username(NOBODY), username("somebody@example.com"), username(ALICE)}) == 3


def test_the_triggers_see_an_unknown_user_as_user_not_found(stand_in: StandIn) -> None:
    events: list[dict[str, Any]] = []

    def recording(handler: Any) -> Any:
        def record(event: dict[str, Any], context: Any) -> Any:
            events.append(event)
            return handler(event, context)

        return record

    for kind, module in (
        ("define", define_auth_challenge),
        ("create", create_auth_challenge),
        ("verify", verify_auth_challenge),
    ):
        register_trigger(f"recording-{kind}", recording(module.handler))
    _pool(stand_in).extended_config["LambdaConfig"] = {
        "DefineAuthChallenge": _arn("recording-define"),
        "CreateAuthChallenge": _arn("recording-create"),
        "VerifyAuthChallengeResponse": _arn("recording-verify"),
    }
    challenge = stand_in.start_custom_auth(NOBODY)
    with pytest.raises(ClientError):
        stand_in.answer(NOBODY, challenge["Session"], _bad_proof(stand_in, NOBODY, challenge))

    assert [event["triggerSource"] for event in events] == [
        "DefineAuthChallenge_Authentication",
        "CreateAuthChallenge_Authentication",
        "VerifyAuthChallengeResponse_Authentication",
        "DefineAuthChallenge_Authentication",
    ]
    stand_in_name = challenge["ChallengeParameters"]["USERNAME"]
    assert {event["userName"] for event in events} == {stand_in_name}
    assert all(event["request"]["userNotFound"] is True for event in events)
    assert all(event["request"]["userAttributes"] == {} for event in events)
    assert events[1]["response"]["privateChallengeParameters"] == {
        "nonce": challenge["ChallengeParameters"]["nonce"]
    }
    assert events[2]["response"]["answerCorrect"] is False
    assert events[3]["request"]["session"] == [
        {
            "challengeName": "CUSTOM_CHALLENGE",
            "challengeResult": False,
            "challengeMetadata": "PROOF_V1",
        }
    ]


def test_a_client_that_allows_user_existence_errors_names_the_unknown_user(
    stand_in: StandIn,
) -> None:
    client = _pool(stand_in).clients[stand_in.pool.client_id]
    client.extended_config["PreventUserExistenceErrors"] = "LEGACY"
    with pytest.raises(ClientError) as failure:
        stand_in.start_custom_auth(NOBODY)
    assert error_of(failure) == ("UserNotFoundException", "User does not exist.")


def _pool(stand_in: StandIn) -> Any:
    """Moto's pool object; set on it directly as UpdateUserPool(Client) resets the rest."""
    return cognitoidp_backends[ACCOUNT_ID]["us-east-1"].user_pools[stand_in.pool.user_pool_id]


def _arn(function_name: str) -> str:
    return f"arn:aws:lambda:us-east-1:{ACCOUNT_ID}:function:{function_name}"
