"""The stand-in's request-rate quotas: AWS's categories and rates, AWS's throttling answer
on the wire, and botocore's retry modes recognising it."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.retries.standard import RetryEventAdapter, ThrottlingErrorDetector

from passkey_app.local_cognito import quotas
from passkey_app.local_cognito.quotas import QuotaCategory, QuotaLimiter, QuotaSettingsError
from tests.local_cognito.conftest import StandIn, error_of
from tests.support.quotas import ManualClock, backoff_on, cognito_quotas

NO_RETRIES = Config(retries={"mode": "standard", "total_max_attempts": 1})


def _client(stand_in: StandIn, config: Config = NO_RETRIES) -> Any:
    return boto3.client("cognito-idp", region_name="us-east-1", config=config)


def _get_alice(client: Any, stand_in: StandIn) -> Any:
    return client.admin_get_user(
        UserPoolId=stand_in.pool.user_pool_id, Username="alice@example.com"
    )


def test_over_the_quota_cognito_answers_too_many_requests_as_aws_does(stand_in: StandIn) -> None:
    client = _client(stand_in)
    with cognito_quotas({"UserRead": 2}, ManualClock()):
        _get_alice(client, stand_in)
        _get_alice(client, stand_in)
        with pytest.raises(ClientError) as refused:
            _get_alice(client, stand_in)
    assert error_of(refused) == ("TooManyRequestsException", "Rate exceeded")
    metadata = refused.value.response["ResponseMetadata"]
    assert metadata["HTTPStatusCode"] == 400
    assert metadata["HTTPHeaders"]["x-amzn-errortype"] == "TooManyRequestsException"


def test_botocore_sees_the_refusal_as_throttling_and_retries_it(
    stand_in: StandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = ManualClock()
    backoff_on(clock, monkeypatch)
    client = _client(stand_in, Config(retries={"mode": "standard", "total_max_attempts": 3}))
    detector = ThrottlingErrorDetector(RetryEventAdapter())
    seen: list[bool] = []

    def judge(**kwargs: Any) -> None:
        if kwargs.get("response") is not None:
            seen.append(detector.is_throttling_error(**kwargs))

    client.meta.events.register("needs-retry.cognito-idp", judge)
    with cognito_quotas({"UserRead": 1}, clock):
        _get_alice(client, stand_in)
        # The clock moves only by botocore's backoff: at most 1 s + 2 s, so the bucket
        # (one request a second) may or may not refill; either way botocore judged it.
        try:
            _get_alice(client, stand_in)
        except ClientError as error:
            assert error.response["Error"]["Code"] == "TooManyRequestsException"
    assert seen[:2] == [False, True]  # the first call's answer, then the refusal
    assert 1 <= len(clock.waits) <= 2 and all(wait < 2 for wait in clock.waits)


def test_a_quota_refills_at_its_rate(stand_in: StandIn) -> None:
    client = _client(stand_in)
    clock = ManualClock()
    with cognito_quotas({"UserRead": 4}, clock):
        for _ in range(4):
            _get_alice(client, stand_in)
        with pytest.raises(ClientError):
            _get_alice(client, stand_in)
        clock.now += 0.25  # one request's worth at 4 a second
        _get_alice(client, stand_in)
        with pytest.raises(ClientError):
            _get_alice(client, stand_in)


def test_sign_ins_and_their_challenge_answers_count_as_aws_counts_them() -> None:
    clock = ManualClock()
    limiter = QuotaLimiter(quotas.scaled_rates(overrides={"UserAuthentication": 1}), clock=clock)
    # Answers get three times UserAuthentication's rate, then spill over into it.
    answers = [limiter.admit("AdminRespondToAuthChallenge") for _ in range(5)]
    assert answers == [True, True, True, True, False]
    assert limiter.admit("AdminInitiateAuth") is False  # the spill took its one token
    assert limiter.admit("AdminCreateUser") is True  # another category, another bucket
    assert limiter.admit("NotACognitoOperation") is True


def test_the_defaults_are_aws_defaults() -> None:
    rates = quotas.DEFAULT_RATES
    assert rates[QuotaCategory.USER_AUTHENTICATION] == 120
    assert rates[QuotaCategory.CHALLENGE_RESPONSE] == 360
    assert rates[QuotaCategory.USER_CREATION] == 50
    assert quotas.OPERATIONS["AdminInitiateAuth"] is QuotaCategory.USER_AUTHENTICATION
    assert quotas.OPERATIONS["AdminCreateUser"] is QuotaCategory.USER_CREATION
    assert quotas.OPERATIONS["RevokeToken"] is QuotaCategory.USER_TOKEN


def test_unit_tests_run_without_quotas_unless_one_turns_them_on(stand_in: StandIn) -> None:
    assert quotas.current() is None
    client = _client(stand_in)
    for _ in range(200):  # above UserRead's 120 a second
        _get_alice(client, stand_in)


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, {"UserAuthentication": 120, "RespondToAuthChallenge": 360, "UserCreation": 50}),
        (
            {"PASSKEY_LOCAL_COGNITO_QUOTA_SCALE": "0.5"},
            {"UserAuthentication": 60, "RespondToAuthChallenge": 180, "UserCreation": 25},
        ),
        (
            {"PASSKEY_LOCAL_COGNITO_QUOTA_RATES": '{"UserAuthentication": 10}'},
            {"UserAuthentication": 10, "RespondToAuthChallenge": 30, "UserCreation": 50},
        ),
        (
            {
                "PASSKEY_LOCAL_COGNITO_QUOTA_SCALE": "2",
                "PASSKEY_LOCAL_COGNITO_QUOTA_RATES": '{"UserCreation": 1}',
            },
            {"UserAuthentication": 240, "RespondToAuthChallenge": 720, "UserCreation": 1},
        ),
    ],
)
def test_the_environment_sets_the_rates(
    environ: dict[str, str], expected: dict[str, float]
) -> None:
    limiter = quotas.from_environment(environ)
    assert limiter is not None
    assert {name: limiter.rates[QuotaCategory(name)] for name in expected} == expected


def test_the_environment_can_switch_quotas_off() -> None:
    assert quotas.from_environment({"PASSKEY_LOCAL_COGNITO_QUOTAS": "off"}) is None


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"PASSKEY_LOCAL_COGNITO_QUOTAS": "maybe"}, "PASSKEY_LOCAL_COGNITO_QUOTAS"),
        ({"PASSKEY_LOCAL_COGNITO_QUOTA_SCALE": "0"}, "PASSKEY_LOCAL_COGNITO_QUOTA_SCALE"),
        ({"PASSKEY_LOCAL_COGNITO_QUOTA_SCALE": "x"}, "PASSKEY_LOCAL_COGNITO_QUOTA_SCALE"),
        ({"PASSKEY_LOCAL_COGNITO_QUOTA_RATES": "[1]"}, "PASSKEY_LOCAL_COGNITO_QUOTA_RATES"),
        ({"PASSKEY_LOCAL_COGNITO_QUOTA_RATES": '{"Nope": 1}'}, "unknown category 'Nope'"),
        ({"PASSKEY_LOCAL_COGNITO_QUOTA_RATES": '{"UserRead": -1}'}, "UserRead"),
    ],
)
def test_a_bad_quota_variable_is_refused_by_name(environ: dict[str, str], named: str) -> None:
    with pytest.raises(QuotaSettingsError) as refused:
        quotas.from_environment(environ)
    assert named in str(refused.value)


def test_a_bulk_load_into_the_stand_in_is_not_counted(stand_in: StandIn) -> None:
    """`passkey-app seed` marks its requests; the app's own calls stay counted."""
    bulk = _client(stand_in)
    quotas.mark_bulk_load(bulk)
    counted = _client(stand_in)
    with cognito_quotas({"UserRead": 1}, ManualClock()):
        for _ in range(5):
            _get_alice(bulk, stand_in)
        _get_alice(counted, stand_in)
        with pytest.raises(ClientError) as refused:
            _get_alice(counted, stand_in)
    assert error_of(refused) == ("TooManyRequestsException", "Rate exceeded")
