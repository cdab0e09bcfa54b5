"""CreateAuthChallenge: a fresh nonce per round, refused for anything but our challenge."""

import base64
import logging
from collections.abc import Callable
from typing import Any

import pytest

from lambdas.config import ConfigError
from lambdas.create_auth_challenge import ChallengeRefusedError, handler
from tests.lambdas.conftest import as_unknown_user

pytestmark = pytest.mark.usefixtures("trigger_env")

Event = dict[str, Any]


def test_custom_challenge_gets_a_nonce_in_both_parameter_sets(
    create_event: Callable[..., Event],
) -> None:
    response = handler(create_event(), None)["response"]
    nonce = response["privateChallengeParameters"]["nonce"]
    assert response == {
        "publicChallengeParameters": {"nonce": nonce},
        "privateChallengeParameters": {"nonce": nonce},
        "challengeMetadata": "PROOF_V1",
    }


def test_nonce_is_32_random_bytes_in_base64url(create_event: Callable[..., Event]) -> None:
    nonce = handler(create_event(), None)["response"]["privateChallengeParameters"]["nonce"]
    assert isinstance(nonce, str)
    assert len(nonce) == 43
    assert len(base64.urlsafe_b64decode(nonce + "=")) == 32


def test_every_round_gets_a_different_nonce(create_event: Callable[..., Event]) -> None:
    nonces = {
        handler(create_event(), None)["response"]["privateChallengeParameters"]["nonce"]
        for _ in range(50)
    }
    assert len(nonces) == 50


@pytest.mark.parametrize("challenge_name", ["SRP_A", "PASSWORD_VERIFIER", "SMS_MFA", ""])
def test_other_challenges_are_refused(
    create_event: Callable[..., Event], challenge_name: str
) -> None:
    event = create_event(challenge_name)
    with pytest.raises(ChallengeRefusedError, match="only CUSTOM_CHALLENGE"):
        handler(event, None)
    assert event["response"]["privateChallengeParameters"] is None


def test_unknown_app_client_is_refused(create_event: Callable[..., Event]) -> None:
    event = create_event()
    event["callerContext"]["clientId"] = "7unknown8client9id"
    with pytest.raises(ChallengeRefusedError, match="app client not allowed"):
        handler(event, None)
    assert event["response"]["privateChallengeParameters"] is None


def test_an_unknown_user_gets_a_fresh_nonce_exactly_like_a_known_user(
    create_event: Callable[..., Event],
) -> None:
    known = handler(create_event(), None)["response"]
    unknown = handler(as_unknown_user(create_event()), None)["response"]
    nonce = unknown["privateChallengeParameters"]["nonce"]
    assert unknown == {
        "publicChallengeParameters": {"nonce": nonce},
        "privateChallengeParameters": {"nonce": nonce},
        "challengeMetadata": "PROOF_V1",
    }
    assert len(base64.urlsafe_b64decode(nonce + "=")) == 32
    assert nonce != known["privateChallengeParameters"]["nonce"]


def test_an_unknown_user_of_an_unknown_app_client_is_refused(
    create_event: Callable[..., Event],
) -> None:
    event = as_unknown_user(create_event())
    event["callerContext"]["clientId"] = "7unknown8client9id"
    with pytest.raises(ChallengeRefusedError, match="app client not allowed"):
        handler(event, None)


def test_logs_never_hold_the_nonce(
    create_event: Callable[..., Event], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="lambdas")
    known = handler(create_event(), None)["response"]
    unknown = handler(as_unknown_user(create_event()), None)["response"]
    assert [record.getMessage() for record in caplog.records] == [
        "create auth challenge: issued",
        "create auth challenge: issued (user not found)",
    ]
    for response in (known, unknown):
        assert response["privateChallengeParameters"]["nonce"] not in caplog.text


def test_missing_configuration_refuses_loudly(
    create_event: Callable[..., Event], reload_env: Callable[..., None]
) -> None:
    reload_env(ALLOWED_CLIENT_IDS=None)
    with pytest.raises(ConfigError, match="ALLOWED_CLIENT_IDS is not set"):
        handler(create_event(), None)
