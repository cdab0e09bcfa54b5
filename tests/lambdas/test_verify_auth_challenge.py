"""VerifyAuthChallengeResponse: the answer is correct only for a valid proof for this login."""

import base64
import json
import logging
import os
import time
from collections.abc import Callable
from typing import Any

import pytest

from lambdas.proof import KeyRing, ProofMethod
from lambdas.verify_auth_challenge import handler
from tests.lambdas.conftest import as_unknown_user

pytestmark = pytest.mark.usefixtures("trigger_env")

Event = dict[str, Any]
EventFactory = Callable[..., Event]
Signer = Callable[..., str]


@pytest.fixture(autouse=True)
def _capture_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="lambdas")


def answer_is_correct(event: Event) -> bool:
    """Run the trigger; it must return the event with a boolean answerCorrect."""
    result = handler(event, None)
    assert result is event
    correct = event["response"]["answerCorrect"]
    assert isinstance(correct, bool)
    return correct


def proof_event(verify_event: EventFactory, sign_for: Signer, **changes: Any) -> Event:
    """A verify event answered with a proof for it, with ``changes`` applied to the proof."""
    event = verify_event()
    event["request"]["challengeAnswer"] = sign_for(event, **changes)
    return event


def claims_data(token: str) -> dict[str, Any]:
    body = token.split(".")[2]
    data: dict[str, Any] = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    return data


def test_valid_proof_is_correct(
    verify_event: EventFactory, sign_for: Signer, caplog: pytest.LogCaptureFixture
) -> None:
    event = proof_event(verify_event, sign_for)
    assert answer_is_correct(event) is True
    assert "accepted method=passkey sub=7f9c2b1e-3d4a-4c5b-8e6f-0a1b2c3d4e5f" in caplog.text


def test_magic_link_proof_is_correct(verify_event: EventFactory, sign_for: Signer) -> None:
    event = proof_event(verify_event, sign_for, method=ProofMethod.MAGIC_LINK)
    assert answer_is_correct(event) is True


def test_email_code_proof_is_correct_by_default(
    verify_event: EventFactory, sign_for: Signer, caplog: pytest.LogCaptureFixture
) -> None:
    event = proof_event(verify_event, sign_for, method=ProofMethod.EMAIL_CODE)
    assert answer_is_correct(event) is True
    assert "accepted method=email_code" in caplog.text


def test_email_code_is_wrong_where_a_pool_allows_only_the_older_methods(
    verify_event: EventFactory,
    sign_for: Signer,
    reload_env: Callable[..., None],
    caplog: pytest.LogCaptureFixture,
) -> None:
    reload_env(ALLOWED_METHODS="passkey,magic_link")
    event = proof_event(verify_event, sign_for, method=ProofMethod.EMAIL_CODE)
    assert rejected(event, caplog, "proof method_not_allowed")


def test_answer_starts_out_wrong(verify_event: EventFactory) -> None:
    event = verify_event("not a proof")
    event["response"]["answerCorrect"] = True
    assert answer_is_correct(event) is False


def rejected(event: Event, caplog: pytest.LogCaptureFixture, reason: str) -> bool:
    """True when the answer was judged wrong and the log names ``reason``."""
    return answer_is_correct(event) is False and f"rejected ({reason})" in caplog.text


def test_proof_signed_with_another_key_is_wrong(
    verify_event: EventFactory,
    sign_for: Signer,
    key_ring: KeyRing,
    caplog: pytest.LogCaptureFixture,
) -> None:
    active = key_ring.active_key_id
    forger = KeyRing(active_key_id=active, keys={active: os.urandom(32)})
    event = proof_event(verify_event, sign_for, ring=forger)
    assert rejected(event, caplog, "proof bad_signature")


def test_proof_under_an_unknown_key_id_is_wrong(
    verify_event: EventFactory, sign_for: Signer, caplog: pytest.LogCaptureFixture
) -> None:
    stranger = KeyRing(active_key_id="k-unknown", keys={"k-unknown": os.urandom(32)})
    event = proof_event(verify_event, sign_for, ring=stranger)
    assert rejected(event, caplog, "proof unknown_key")


def test_rotation_accepts_the_old_key_until_it_is_removed(
    verify_event: EventFactory,
    sign_for: Signer,
    proof_keys: Any,
    reload_env: Callable[..., None],
    caplog: pytest.LogCaptureFixture,
) -> None:
    before_rotation = KeyRing(
        active_key_id=proof_keys.old_id, keys={proof_keys.old_id: proof_keys.old}
    )
    event = proof_event(verify_event, sign_for, ring=before_rotation)
    assert answer_is_correct(event) is True

    reload_env(PROOF_KEYS=proof_keys.env_json(proof_keys.current_id))
    event = proof_event(verify_event, sign_for, ring=before_rotation)
    assert rejected(event, caplog, "proof unknown_key")
    assert answer_is_correct(proof_event(verify_event, sign_for)) is True


@pytest.mark.parametrize(
    "echo",
    [
        pytest.param(
            lambda event: event["request"]["privateChallengeParameters"]["nonce"], id="nonce"
        ),
        pytest.param(
            lambda event: json.dumps(event["request"]["privateChallengeParameters"]), id="params"
        ),
    ],
)
def test_echoed_challenge_is_wrong(
    verify_event: EventFactory, echo: Callable[[Event], str], caplog: pytest.LogCaptureFixture
) -> None:
    event = verify_event()
    event["request"]["challengeAnswer"] = echo(event)
    assert rejected(event, caplog, "proof malformed")


def test_replayed_proof_for_an_earlier_nonce_is_wrong(
    verify_event: EventFactory, sign_for: Signer, caplog: pytest.LogCaptureFixture
) -> None:
    earlier = verify_event(nonce="ZWFybGllci1yb3VuZC1ub25jZS1pc3N1ZWQtYnktY3JlYXRl")
    event = verify_event()
    event["request"]["challengeAnswer"] = sign_for(earlier)
    assert rejected(event, caplog, "proof wrong_nonce")


@pytest.mark.parametrize(
    ("issued", "expires", "reason"),
    [
        (-90, -30, "proof expired"),
        (-30, 0, "proof expired"),
        (-10, 55, "proof lifetime_too_long"),
        (30, 60, "proof not_yet_valid"),
    ],
)
def test_proof_outside_its_validity_window_is_wrong(
    verify_event: EventFactory,
    sign_for: Signer,
    caplog: pytest.LogCaptureFixture,
    issued: int,
    expires: int,
    reason: str,
) -> None:
    now = int(time.time())
    event = proof_event(verify_event, sign_for, issued_at=now + issued, expires_at=now + expires)
    assert rejected(event, caplog, reason)


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"sub": "11111111-2222-4333-8444-555555555555"}, "proof wrong_user"),
        ({"client_id": "6second7clientid8abc9def0hi"}, "proof wrong_client"),
        ({"pool_id": "eu-west-1_0therP00l"}, "proof wrong_pool"),
    ],
)
def test_proof_for_another_user_client_or_pool_is_wrong(
    verify_event: EventFactory,
    sign_for: Signer,
    caplog: pytest.LogCaptureFixture,
    changes: dict[str, str],
    reason: str,
) -> None:
    assert rejected(proof_event(verify_event, sign_for, **changes), caplog, reason)


def test_unknown_app_client_is_wrong_even_with_a_matching_proof(
    verify_event: EventFactory, sign_for: Signer, caplog: pytest.LogCaptureFixture
) -> None:
    event = verify_event()
    event["callerContext"]["clientId"] = "7unknown8client9id"
    event["request"]["challengeAnswer"] = sign_for(event)
    assert rejected(event, caplog, "app client not allowed")


@pytest.mark.parametrize(
    "answer_for",
    [
        pytest.param(lambda event, sign: sign(event), id="a-proof-valid-in-every-other-way"),
        pytest.param(lambda event, sign: "v1.k.p.s", id="not-a-proof"),
        pytest.param(lambda event, sign: None, id="no-answer"),
        pytest.param(lambda event, sign: "A" * 5000, id="too-large"),
    ],
)
def test_an_unknown_user_is_always_wrong(
    verify_event: EventFactory,
    sign_for: Signer,
    caplog: pytest.LogCaptureFixture,
    answer_for: Callable[[Event, Signer], object],
) -> None:
    event = verify_event()
    event["request"]["challengeAnswer"] = answer_for(event, sign_for)
    event["request"]["userNotFound"] = True
    assert rejected(event, caplog, "user not found")


def test_an_unknown_user_with_no_attributes_is_wrong(
    verify_event: EventFactory, sign_for: Signer, caplog: pytest.LogCaptureFixture
) -> None:
    event = proof_event(verify_event, sign_for)
    answer = event["request"]["challengeAnswer"]
    assert rejected(as_unknown_user(event), caplog, "user not found")
    assert "sub=-" in caplog.text
    assert answer not in caplog.text
    assert event["request"]["privateChallengeParameters"]["nonce"] not in caplog.text


def test_method_not_allowed_is_wrong(
    verify_event: EventFactory,
    sign_for: Signer,
    reload_env: Callable[..., None],
    caplog: pytest.LogCaptureFixture,
) -> None:
    reload_env(ALLOWED_METHODS="passkey")
    event = proof_event(verify_event, sign_for, method=ProofMethod.MAGIC_LINK)
    assert rejected(event, caplog, "proof method_not_allowed")


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ("", "proof malformed"),
        ("A" * 5000, "answer too large"),
        (None, "answer is not a string"),
        (12345, "answer is not a string"),
        (["v1", "k", "p", "s"], "answer is not a string"),
        ({"proof": "v1.k.p.s"}, "answer is not a string"),
    ],
)
def test_answer_that_is_not_a_proof_is_wrong(
    verify_event: EventFactory, caplog: pytest.LogCaptureFixture, answer: object, reason: str
) -> None:
    assert rejected(verify_event(answer), caplog, reason)


def test_oversized_answer_wrapping_a_valid_proof_is_wrong(
    verify_event: EventFactory, sign_for: Signer, caplog: pytest.LogCaptureFixture
) -> None:
    event = proof_event(verify_event, sign_for)
    event["request"]["challengeAnswer"] += "." + "A" * 5000
    assert rejected(event, caplog, "answer too large")


def _edit(part: int, change: Callable[[str], str]) -> Callable[[str], str]:
    """A tamperer that rewrites one dot-separated part of a token."""

    def tamper(token: str) -> str:
        parts = token.split(".")
        parts[part] = change(parts[part])
        return ".".join(parts)

    return tamper


def _flip(text: str, index: int = 12) -> str:
    return text[:index] + ("B" if text[index] == "A" else "A") + text[index + 1 :]


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        pytest.param(_edit(2, _flip), "proof bad_signature", id="payload-char"),
        pytest.param(_edit(3, _flip), "proof bad_signature", id="signature-char"),
        pytest.param(_edit(1, lambda key_id: "k2025-02"), "proof unknown_key", id="key-id"),
        pytest.param(_edit(2, lambda body: body + "="), "proof malformed", id="padded-payload"),
        pytest.param(_edit(3, lambda sig: sig + "="), "proof malformed", id="padded-signature"),
        pytest.param(_edit(3, lambda sig: "+" + sig[1:]), "proof malformed", id="plus-char"),
        pytest.param(_edit(2, lambda body: body[:-1]), "proof malformed", id="cut-payload"),
        pytest.param(_edit(0, lambda version: "v0"), "proof malformed", id="version"),
        pytest.param(lambda token: " " + token, "proof malformed", id="leading-space"),
    ],
)
def test_tampered_proof_is_wrong(
    verify_event: EventFactory,
    sign_for: Signer,
    caplog: pytest.LogCaptureFixture,
    tamper: Callable[[str], str],
    reason: str,
) -> None:
    event = proof_event(verify_event, sign_for)
    event["request"]["challengeAnswer"] = tamper(event["request"]["challengeAnswer"])
    assert rejected(event, caplog, reason)


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"scope": "admin"}, id="extra-field"),
        pytest.param({"issued_at": True}, id="bool-issued-at"),
        pytest.param({"method": "password"}, id="unknown-method"),
    ],
)
def test_signed_claims_of_the_wrong_shape_are_wrong(
    verify_event: EventFactory,
    sign_for: Signer,
    sign_payload: Callable[[dict[str, Any]], str],
    caplog: pytest.LogCaptureFixture,
    change: dict[str, Any],
) -> None:
    event = verify_event()
    event["request"]["challengeAnswer"] = sign_payload({**claims_data(sign_for(event)), **change})
    assert rejected(event, caplog, "proof malformed")


def test_signed_claims_missing_a_field_are_wrong(
    verify_event: EventFactory,
    sign_for: Signer,
    sign_payload: Callable[[dict[str, Any]], str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    event = verify_event()
    data = claims_data(sign_for(event))
    del data["credential_id"]
    event["request"]["challengeAnswer"] = sign_payload(data)
    assert rejected(event, caplog, "proof malformed")


def test_sign_payload_fixture_matches_the_real_signer(
    verify_event: EventFactory, sign_for: Signer, sign_payload: Callable[[dict[str, Any]], str]
) -> None:
    event = verify_event()
    token = sign_for(event)
    assert sign_payload(claims_data(token)) == token


@pytest.mark.parametrize(
    ("variables", "reason"),
    [
        ({"PROOF_KEYS": None}, "PROOF_KEYS is not set"),
        ({"PROOF_ACTIVE_KEY_ID": None}, "PROOF_ACTIVE_KEY_ID is not set"),
        ({"ALLOWED_CLIENT_IDS": None}, "ALLOWED_CLIENT_IDS is not set"),
        ({"PROOF_KEYS": "{}"}, "PROOF_KEYS: the key ring holds no keys"),
        (
            {"PROOF_ACTIVE_KEY_ID": "k-missing"},
            "PROOF_ACTIVE_KEY_ID: the active key id 'k-missing' is not in the key ring",
        ),
        (
            {"ALLOWED_METHODS": "password"},
            "ALLOWED_METHODS has unknown methods ['password']; "
            "known: ['email_code', 'magic_link', 'passkey']",
        ),
    ],
)
def test_broken_configuration_answers_wrong_without_raising(
    verify_event: EventFactory,
    sign_for: Signer,
    reload_env: Callable[..., None],
    caplog: pytest.LogCaptureFixture,
    variables: dict[str, str | None],
    reason: str,
) -> None:
    event = proof_event(verify_event, sign_for)
    reload_env(**variables)
    assert rejected(event, caplog, reason)


@pytest.mark.parametrize(
    "break_event",
    [
        pytest.param(
            lambda event: event["request"].pop("privateChallengeParameters"), id="no-params"
        ),
        pytest.param(
            lambda event: event["request"]["privateChallengeParameters"].clear(), id="no-nonce"
        ),
        pytest.param(lambda event: event["request"]["userAttributes"].pop("sub"), id="no-sub"),
        pytest.param(lambda event: event.pop("userPoolId"), id="no-pool"),
        pytest.param(lambda event: event.pop("callerContext"), id="no-caller-context"),
        pytest.param(lambda event: event.pop("request"), id="no-request"),
    ],
)
def test_unexpected_event_shape_answers_wrong_without_raising(
    verify_event: EventFactory, sign_for: Signer, break_event: Callable[[Event], object]
) -> None:
    event = proof_event(verify_event, sign_for)
    break_event(event)
    assert answer_is_correct(event) is False


def test_null_response_is_filled_in(verify_event: EventFactory, sign_for: Signer) -> None:
    event = proof_event(verify_event, sign_for)
    event["response"] = None
    assert answer_is_correct(event) is True


def test_empty_private_nonce_never_matches(
    verify_event: EventFactory, sign_for: Signer, caplog: pytest.LogCaptureFixture
) -> None:
    event = verify_event(nonce="")
    event["request"]["challengeAnswer"] = sign_for(event)
    assert rejected(event, caplog, "error ValueError")


def test_logs_never_hold_the_answer_the_nonce_or_a_key(
    verify_event: EventFactory,
    sign_for: Signer,
    proof_keys: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    good = proof_event(verify_event, sign_for)
    forged = proof_event(verify_event, sign_for, sub="11111111-2222-4333-8444-555555555555")
    unknown = as_unknown_user(proof_event(verify_event, sign_for))
    for event in (good, forged, unknown, verify_event("v1.k.p.s"), verify_event("A" * 5000)):
        handler(event, None)
    secrets = [
        good["request"]["challengeAnswer"],
        good["request"]["privateChallengeParameters"]["nonce"],
        *good["request"]["challengeAnswer"].split(".")[2:],
        unknown["request"]["challengeAnswer"],
        "v1.k.p.s",
        "A" * 100,
        base64.urlsafe_b64encode(proof_keys.current).decode().rstrip("="),
        base64.urlsafe_b64encode(proof_keys.old).decode().rstrip("="),
    ]
    logged = "\n".join(f"{record.getMessage()} {record.exc_text}" for record in caplog.records)
    assert len(caplog.records) == 5
    for secret in secrets:
        assert secret not in logged
