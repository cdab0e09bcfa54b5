"""DefineAuthChallenge: one CUSTOM_CHALLENGE round, tokens only after a correct answer."""

from collections.abc import Callable
from typing import Any

import pytest

from lambdas.define_auth_challenge import handler
from tests.lambdas.conftest import as_unknown_user

pytestmark = pytest.mark.usefixtures("trigger_env")

Event = dict[str, Any]

CUSTOM_CHALLENGE = {
    "challengeName": "CUSTOM_CHALLENGE",
    "challengeResult": True,
    "challengeMetadata": "PROOF_V1",
}
WRONG_CUSTOM_CHALLENGE = {**CUSTOM_CHALLENGE, "challengeResult": False}
SRP_A = {"challengeName": "SRP_A", "challengeResult": True, "challengeMetadata": None}
PASSWORD_VERIFIER = {**SRP_A, "challengeName": "PASSWORD_VERIFIER"}

DENY = {"issueTokens": False, "failAuthentication": True}
ALLOW = {"issueTokens": True, "failAuthentication": False}
ASK = {"challengeName": "CUSTOM_CHALLENGE", "issueTokens": False, "failAuthentication": False}


def outcome(event: Event) -> dict[str, Any]:
    """The decision fields of the handler's response (challengeName only if set)."""
    response = handler(event, None)["response"]
    assert response is event["response"]
    return {name: value for name, value in response.items() if value is not None}


def test_first_round_asks_for_a_custom_challenge(define_event: Callable[..., Event]) -> None:
    assert outcome(define_event()) == ASK


def test_correct_custom_answer_issues_tokens(define_event: Callable[..., Event]) -> None:
    assert outcome(define_event(CUSTOM_CHALLENGE)) == ALLOW


def test_wrong_custom_answer_fails(define_event: Callable[..., Event]) -> None:
    assert outcome(define_event(WRONG_CUSTOM_CHALLENGE)) == DENY


def test_second_attempt_fails_even_if_it_was_correct(define_event: Callable[..., Event]) -> None:
    assert outcome(define_event(WRONG_CUSTOM_CHALLENGE, CUSTOM_CHALLENGE)) == DENY
    assert outcome(define_event(CUSTOM_CHALLENGE, CUSTOM_CHALLENGE)) == DENY


@pytest.mark.parametrize(
    "session",
    [
        pytest.param([SRP_A], id="srp-a"),
        pytest.param([SRP_A, PASSWORD_VERIFIER], id="password-flow"),
        pytest.param([SRP_A, CUSTOM_CHALLENGE], id="srp-then-custom"),
        pytest.param([PASSWORD_VERIFIER, CUSTOM_CHALLENGE], id="password-then-custom"),
    ],
)
def test_session_with_another_challenge_fails(
    define_event: Callable[..., Event], session: list[Event]
) -> None:
    assert outcome(define_event(*session)) == DENY


def test_challenge_result_must_be_exactly_true(define_event: Callable[..., Event]) -> None:
    assert outcome(define_event({**CUSTOM_CHALLENGE, "challengeResult": "true"})) == DENY


def test_an_unknown_user_is_asked_for_a_custom_challenge_like_anyone(
    define_event: Callable[..., Event],
) -> None:
    assert outcome(as_unknown_user(define_event())) == outcome(define_event()) == ASK


@pytest.mark.parametrize(
    "session",
    [
        pytest.param([CUSTOM_CHALLENGE], id="even-a-correct-answer"),
        pytest.param([WRONG_CUSTOM_CHALLENGE], id="wrong-answer"),
        pytest.param([WRONG_CUSTOM_CHALLENGE, CUSTOM_CHALLENGE], id="second-attempt"),
    ],
)
def test_an_unknown_user_never_gets_tokens(
    define_event: Callable[..., Event], session: list[Event]
) -> None:
    assert outcome(as_unknown_user(define_event(*session))) == DENY


def test_an_unknown_user_of_an_unknown_app_client_fails_at_once(
    define_event: Callable[..., Event],
) -> None:
    event = as_unknown_user(define_event())
    event["callerContext"]["clientId"] = "7unknown8client9id"
    assert outcome(event) == DENY


def test_unknown_app_client_fails(define_event: Callable[..., Event]) -> None:
    event = define_event(CUSTOM_CHALLENGE)
    event["callerContext"]["clientId"] = "7unknown8client9id"
    assert outcome(event) == DENY


def test_every_configured_client_is_allowed(define_event: Callable[..., Event]) -> None:
    event = define_event(CUSTOM_CHALLENGE)
    event["callerContext"]["clientId"] = "6second7clientid8abc9def0hi"
    assert outcome(event) == ALLOW


@pytest.mark.parametrize("variable", ["PROOF_KEYS", "PROOF_ACTIVE_KEY_ID", "ALLOWED_CLIENT_IDS"])
def test_missing_configuration_fails_without_raising(
    define_event: Callable[..., Event],
    reload_env: Callable[..., None],
    variable: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    reload_env(**{variable: None})
    assert outcome(define_event(CUSTOM_CHALLENGE)) == DENY
    assert f"{variable} is not set" in caplog.text


@pytest.mark.parametrize(
    "break_event",
    [
        pytest.param(lambda event: event.pop("request"), id="no-request"),
        pytest.param(lambda event: event.pop("callerContext"), id="no-caller-context"),
        pytest.param(lambda event: event["request"].update(session="SRP_A"), id="session-text"),
        pytest.param(lambda event: event["request"].update(session=[None]), id="null-entry"),
    ],
)
def test_unexpected_event_shape_fails_without_raising(
    define_event: Callable[..., Event], break_event: Callable[[Event], object]
) -> None:
    event = define_event(CUSTOM_CHALLENGE)
    break_event(event)
    assert outcome(event) == DENY


def test_null_response_is_filled_in(define_event: Callable[..., Event]) -> None:
    event = define_event(CUSTOM_CHALLENGE)
    event["response"] = None
    assert outcome(event) == ALLOW
