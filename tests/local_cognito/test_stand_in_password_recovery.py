"""Password recovery in the stand-in, as Cognito answers it: ForgotPassword mails the
pool's verification message with a code to the local outbox (moto's SES), the code works
once for an hour, wrong codes are refused and then stop it, unknown users get the same
answers as known ones, and an administrator's reset mails a code and blocks password
sign-in."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError
from moto.ses.models import ses_backends

from passkey_app.local_cognito.pool import ACCOUNT_ID, DEMO_USERS
from passkey_app.local_cognito.recovery import (
    CODE_LIFETIME_SECONDS,
    COGNITO_SENDER,
    WRONG_CODES_ALLOWED,
    reset_codes,
)
from tests.local_cognito.conftest import StandIn, error_of, secret_hash

ALICE, NOBODY = "alice@example.com", "nobody@example.com"
ALICE_PASSWORD = next(user.password for user in DEMO_USERS if user.email == ALICE)
NEW_PASSWORD = "Alice-new-pass-2!"
CODE_MISMATCH = ("CodeMismatchException", "Invalid verification code provided, please try again.")
CODE_EXPIRED = ("ExpiredCodeException", "Invalid code provided, please request a code again.")
LIMIT = ("LimitExceededException", "Attempt limit exceeded, please try after some time.")
INCORRECT = ("NotAuthorizedException", "Incorrect username or password.")
_CODE = re.compile(r"^Your verification code is (\d{6})\. $")


class MovableClock:
    """Seconds since the epoch, as far as the codes are concerned; tests move it."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Iterator[MovableClock]:
    codes = reset_codes()
    moved = MovableClock()
    codes.clock = moved
    yield moved
    codes.clear()
    codes.clock = time.time


def outbox() -> list[Any]:
    """What the stand-in's SES holds (the local outbox)."""
    return list(ses_backends[ACCOUNT_ID]["us-east-1"].sent_messages)


def forgot(stand_in: StandIn, email: str, **overrides: str) -> dict[str, Any]:
    parameters = {
        "ClientId": stand_in.pool.client_id,
        "Username": email,
        "SecretHash": secret_hash(stand_in.pool, email),
    }
    parameters.update(overrides)
    result: dict[str, Any] = stand_in.client.forgot_password(
        **{k: v for k, v in parameters.items() if v}
    )
    return result


def confirm(stand_in: StandIn, email: str, code: str, password: str = NEW_PASSWORD) -> None:
    stand_in.client.confirm_forgot_password(
        ClientId=stand_in.pool.client_id,
        Username=email,
        SecretHash=secret_hash(stand_in.pool, email),
        ConfirmationCode=code,
        Password=password,
    )


def mailed_code(to: str) -> str:
    """The code in the newest mail to ``to``."""
    mine = [m for m in outbox() if m.destinations["ToAddresses"] == [to]]
    assert mine, f"no mail to {to}"
    found = _CODE.match(mine[-1].body)
    assert found, mine[-1].body
    return found.group(1)


def refused(call: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as failure:
        call()
    return error_of(failure)


def create_user(stand_in: StandIn, email: str, *, verified: bool = True) -> None:
    stand_in.client.admin_create_user(
        UserPoolId=stand_in.pool.user_pool_id,
        Username=email,
        MessageAction="SUPPRESS",
        UserAttributes=[
            {"Name": "email", "Value": email},
            {"Name": "email_verified", "Value": "true" if verified else "false"},
        ],
    )
    stand_in.client.admin_set_user_password(
        UserPoolId=stand_in.pool.user_pool_id,
        Username=email,
        Password="Some-user-pass-1!",
        Permanent=True,
    )


def test_forgot_password_mails_the_pools_verification_message_with_a_code(
    stand_in: StandIn, clock: MovableClock
) -> None:
    before = len(outbox())
    answer = forgot(stand_in, ALICE)
    assert answer["CodeDeliveryDetails"] == {
        "Destination": "a***@e***",
        "DeliveryMedium": "EMAIL",
        "AttributeName": "email",
    }
    sent = outbox()[before:]
    assert len(sent) == 1
    assert sent[0].source == COGNITO_SENDER
    assert sent[0].subject == "Your verification code"
    assert sent[0].destinations == {"ToAddresses": [ALICE]}
    assert _CODE.match(sent[0].body)
    assert "x-moto-forgot-password-confirmation-code" not in answer["ResponseMetadata"].get(
        "HTTPHeaders", {}
    )


def test_the_mailed_code_sets_the_password_once(stand_in: StandIn, clock: MovableClock) -> None:
    forgot(stand_in, ALICE)
    code = mailed_code(ALICE)
    confirm(stand_in, ALICE, code)
    assert "AuthenticationResult" in stand_in.password_sign_in(ALICE, NEW_PASSWORD)
    assert refused(lambda: stand_in.password_sign_in(ALICE, ALICE_PASSWORD)) == INCORRECT
    assert refused(lambda: confirm(stand_in, ALICE, code, "Another-pass-3!")) == CODE_EXPIRED
    assert "AuthenticationResult" in stand_in.password_sign_in(ALICE, NEW_PASSWORD)


def test_a_wrong_code_is_refused_and_changes_nothing(
    stand_in: StandIn, clock: MovableClock
) -> None:
    forgot(stand_in, ALICE)
    code = mailed_code(ALICE)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    assert refused(lambda: confirm(stand_in, ALICE, wrong)) == CODE_MISMATCH
    assert "AuthenticationResult" in stand_in.password_sign_in(ALICE, ALICE_PASSWORD)
    confirm(stand_in, ALICE, code)
    assert "AuthenticationResult" in stand_in.password_sign_in(ALICE, NEW_PASSWORD)


def test_too_many_wrong_codes_stop_the_code_until_a_new_one_is_asked_for(
    stand_in: StandIn, clock: MovableClock
) -> None:
    forgot(stand_in, ALICE)
    code = mailed_code(ALICE)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(WRONG_CODES_ALLOWED):
        assert refused(lambda: confirm(stand_in, ALICE, wrong)) == CODE_MISMATCH
    assert refused(lambda: confirm(stand_in, ALICE, code)) == LIMIT
    assert "AuthenticationResult" in stand_in.password_sign_in(ALICE, ALICE_PASSWORD)
    forgot(stand_in, ALICE)
    confirm(stand_in, ALICE, mailed_code(ALICE))
    assert "AuthenticationResult" in stand_in.password_sign_in(ALICE, NEW_PASSWORD)


def test_a_code_expires_after_an_hour(stand_in: StandIn, clock: MovableClock) -> None:
    forgot(stand_in, ALICE)
    code = mailed_code(ALICE)
    clock.now += CODE_LIFETIME_SECONDS
    assert refused(lambda: confirm(stand_in, ALICE, code)) == CODE_EXPIRED
    assert "AuthenticationResult" in stand_in.password_sign_in(ALICE, ALICE_PASSWORD)


def test_a_newer_code_replaces_the_older(stand_in: StandIn, clock: MovableClock) -> None:
    forgot(stand_in, ALICE)
    older = mailed_code(ALICE)
    forgot(stand_in, ALICE)
    newer = mailed_code(ALICE)
    if older != newer:
        assert refused(lambda: confirm(stand_in, ALICE, older)) == CODE_MISMATCH
    confirm(stand_in, ALICE, newer)


def test_no_code_asked_for_reads_as_expired(stand_in: StandIn, clock: MovableClock) -> None:
    assert refused(lambda: confirm(stand_in, ALICE, "123456")) == CODE_EXPIRED


def test_a_password_the_policy_refuses_keeps_the_code(
    stand_in: StandIn, clock: MovableClock
) -> None:
    forgot(stand_in, ALICE)
    code = mailed_code(ALICE)
    code_name, _ = refused(lambda: confirm(stand_in, ALICE, code, "short"))
    assert code_name == "InvalidPasswordException"
    confirm(stand_in, ALICE, code)
    assert "AuthenticationResult" in stand_in.password_sign_in(ALICE, NEW_PASSWORD)


def test_unknown_disabled_and_unverified_users_get_the_same_answer_and_no_mail(
    stand_in: StandIn, clock: MovableClock
) -> None:
    create_user(stand_in, "unverified@example.com", verified=False)
    create_user(stand_in, "disabled@example.com")
    stand_in.client.admin_disable_user(
        UserPoolId=stand_in.pool.user_pool_id, Username="disabled@example.com"
    )
    before = len(outbox())
    known = forgot(stand_in, ALICE)["CodeDeliveryDetails"]
    for email in (NOBODY, "unverified@example.com", "disabled@example.com"):
        answer = forgot(stand_in, email)["CodeDeliveryDetails"]
        assert set(answer) == set(known)
        assert answer["DeliveryMedium"] == "EMAIL" and answer["AttributeName"] == "email"
        assert re.fullmatch(r"\w\*\*\*@e\*\*\*", answer["Destination"])
    assert [m.destinations["ToAddresses"] for m in outbox()[before:]] == [[ALICE]]
    for email in (NOBODY, "disabled@example.com"):
        assert refused(lambda e=email: confirm(stand_in, e, "123456")) == CODE_MISMATCH


def test_without_existence_protection_unknown_users_are_named(
    stand_in: StandIn, clock: MovableClock
) -> None:
    stand_in.client.update_user_pool_client(
        UserPoolId=stand_in.pool.user_pool_id,
        ClientId=stand_in.pool.client_id,
        PreventUserExistenceErrors="LEGACY",
    )
    assert refused(lambda: forgot(stand_in, NOBODY))[0] == "UserNotFoundException"
    assert refused(lambda: confirm(stand_in, NOBODY, "123456"))[0] == "UserNotFoundException"


def test_secret_hash_is_required_and_checked(stand_in: StandIn, clock: MovableClock) -> None:
    client_id = stand_in.pool.client_id
    assert refused(lambda: forgot(stand_in, ALICE, SecretHash="")) == (
        "NotAuthorizedException",
        f"Client {client_id} is configured with secret but SECRET_HASH was not received",
    )
    wrong = secret_hash(stand_in.pool, "bob@example.com")
    assert refused(lambda: forgot(stand_in, ALICE, SecretHash=wrong)) == (
        "NotAuthorizedException",
        f"Unable to verify secret hash for client {client_id}",
    )


def test_an_administrators_reset_mails_a_code_and_blocks_password_sign_in(
    stand_in: StandIn, clock: MovableClock
) -> None:
    before = len(outbox())
    stand_in.client.admin_reset_user_password(UserPoolId=stand_in.pool.user_pool_id, Username=ALICE)
    assert len(outbox()) == before + 1
    reset_required = ("PasswordResetRequiredException", "Password reset required for the user")
    assert refused(lambda: stand_in.password_sign_in(ALICE, ALICE_PASSWORD)) == reset_required
    assert refused(lambda: stand_in.password_sign_in(ALICE, "Wrong-pass-1!")) == reset_required
    confirm(stand_in, ALICE, mailed_code(ALICE))
    assert "AuthenticationResult" in stand_in.password_sign_in(ALICE, NEW_PASSWORD)
    status = stand_in.client.admin_get_user(UserPoolId=stand_in.pool.user_pool_id, Username=ALICE)
    assert status["UserStatus"] == "CONFIRMED"


def test_a_pool_that_recovers_only_through_its_administrator_refuses(
    stand_in: StandIn, clock: MovableClock
) -> None:
    stand_in.client.update_user_pool(
        UserPoolId=stand_in.pool.user_pool_id,
        AccountRecoverySetting={"RecoveryMechanisms": [{"Priority": 1, "Name": "admin_only"}]},
    )
    assert refused(lambda: forgot(stand_in, ALICE)) == (
        "NotAuthorizedException",
        "Contact administrator to reset password.",
    )
