"""The pool's password rules: read from Cognito once, shown in words, checked as Cognito
checks them (the stand-in's pool agrees on every sample)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from passkey_app.local_cognito.pool import PASSWORD_POLICY
from passkey_app.services.cognito.gateway import PasswordPolicy
from passkey_app.services.container import Services
from passkey_app.services.identity import MAX_PASSWORD_LENGTH
from passkey_app.services.password.policy import (
    BREAKS_RULES,
    EDGE_SPACE,
    TOO_LONG,
    PasswordRulesError,
    check_password,
    rules_of,
)
from tests.conftest import CognitoFixture

POOL = PasswordPolicy(minimum_length=12)
SAMPLES = [
    "Alice-new-pass-2",
    "Alice new pass 2",
    "alice-new-pass-2",
    "ALICE-NEW-PASS-2",
    "Alice-new-pass-",
    "AliceNewPass22",
    "Al-1",
    "Ålice-new-pass-2",
    "Alice~new`pass^2",
    "Alice-new-päss-2",
]


def unmet(policy: PasswordPolicy, password: str) -> tuple[str, ...]:
    try:
        check_password(policy, password)
    except PasswordRulesError as error:
        return error.unmet
    return ()


def test_the_policy_shown_is_the_pools_and_is_read_once(services: Services) -> None:
    calls: list[str] = []
    services.gateway.boto_client.meta.events.register(
        "before-call.cognito-idp.DescribeUserPool", lambda **_: calls.append("describe")
    )
    policy = services.password_reset.policy()
    assert policy == PasswordPolicy(
        minimum_length=PASSWORD_POLICY["MinimumLength"],
        require_uppercase=True,
        require_lowercase=True,
        require_numbers=True,
        require_symbols=True,
    )
    assert [rule.text for rule in rules_of(policy)] == [
        "At least 12 characters",
        "An upper-case letter (A-Z)",
        "A lower-case letter (a-z)",
        "A number (0-9)",
        "A symbol, such as ! ? # - or a space",
    ]
    assert services.password_change.policy() is policy
    assert calls == ["describe"]


def test_a_relaxed_pool_shows_fewer_rules() -> None:
    relaxed = PasswordPolicy(
        minimum_length=8,
        require_uppercase=False,
        require_lowercase=True,
        require_numbers=False,
        require_symbols=False,
    )
    assert [rule.text for rule in rules_of(relaxed)] == [
        "At least 8 characters",
        "A lower-case letter (a-z)",
    ]
    assert unmet(relaxed, "abcdefgh") == ()


@pytest.mark.parametrize(
    ("password", "missing"),
    [
        ("Alice-new-pass-2", ()),
        ("Alice new pass 2", ()),
        ("alice-new-pass-2", ("An upper-case letter (A-Z)",)),
        ("ALICE-NEW-PASS-2", ("A lower-case letter (a-z)",)),
        ("AliceNewPass22", ("A symbol, such as ! ? # - or a space",)),
        ("Alice-new-pass-", ("A number (0-9)",)),
        ("Al-1", ("At least 12 characters",)),
        ("ålice-new-päss-2", ("An upper-case letter (A-Z)",)),
    ],
)
def test_each_rule_missed_is_named(password: str, missing: tuple[str, ...]) -> None:
    assert unmet(POOL, password) == missing


def test_edge_spaces_and_over_long_passwords_are_refused_with_their_own_words() -> None:
    with pytest.raises(PasswordRulesError) as edge:
        check_password(POOL, " Alice-new-pass-2")
    assert (edge.value.user_message, edge.value.unmet) == (EDGE_SPACE, ())
    with pytest.raises(PasswordRulesError) as long:
        check_password(POOL, "Aa1!" * (MAX_PASSWORD_LENGTH // 4 + 1))
    assert long.value.user_message == TOO_LONG
    with pytest.raises(PasswordRulesError) as weak:
        check_password(POOL, "weak")
    assert weak.value.user_message == BREAKS_RULES


@pytest.mark.parametrize("password", SAMPLES)
def test_the_app_and_the_stand_ins_pool_agree(cognito: CognitoFixture, password: str) -> None:
    try:
        cognito.client.admin_set_user_password(
            UserPoolId=cognito.pool.user_pool_id,
            Username="bob@example.com",
            Password=password,
            Permanent=True,
        )
        accepted = True
    except ClientError as error:
        assert error.response["Error"]["Code"] == "InvalidPasswordException"
        accepted = False
    assert (unmet(POOL, password) == ()) is accepted
