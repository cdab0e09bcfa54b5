"""Password guessing against the moto pool, performed as an attacker would: wrong passwords
count per account (10 in 15 minutes, known address or not) and per address (50 in 15
minutes), at sign-in and at the account page's password confirmation alike."""

from __future__ import annotations

import json
from typing import Any

import pytest

from passkey_app.services.audit import ClientInfo
from passkey_app.services.container import Services
from passkey_app.services.errors import AuthError, AuthFailure
from passkey_app.services.passkeys.account import PasskeyAccount
from passkey_app.services.password.login import PasswordLogin
from passkey_app.services.sessions.store import LoginSucceeded
from tests.conftest import CognitoFixture
from tests.services.flows import audit_trail, session_of
from tests.services.magic_links.support import MovableClock

ALICE = "alice@example.com"
ATTACKER = ClientInfo(ip_address="198.51.100.66", user_agent="guesser")
ELSEWHERE = ClientInfo(ip_address="203.0.113.20", user_agent="browser")
WRONG = AuthFailure.INVALID_CREDENTIALS
REFUSED = AuthFailure.THROTTLED
SIGNED_IN = "signed in"


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock()


@pytest.fixture
def login(services: Services, clock: MovableClock) -> PasswordLogin:
    """The service as the container builds it, on the test's clock."""
    return PasswordLogin(
        engine=services.engine, gateway=services.gateway, sessions=services.sessions, clock=clock
    )


@pytest.fixture
def password_checks(services: Services) -> list[str]:
    """The usernames of every password check that reached Cognito, read off the wire."""
    seen: list[str] = []

    def capture(request: Any, **_: Any) -> None:
        body = json.loads(request.body)
        if body.get("AuthFlow") == "ADMIN_USER_PASSWORD_AUTH":
            seen.append(body["AuthParameters"]["USERNAME"])

    events = services.gateway.boto_client.meta.events
    events.register_first("before-send.cognito-idp.AdminInitiateAuth", capture)
    return seen


def _try(login: PasswordLogin, email: str, password: str, client: ClientInfo = ATTACKER) -> object:
    try:
        result = login.login(email=email, password=password, client=client)
    except AuthError as error:
        return error.failure
    assert isinstance(result, LoginSucceeded)
    return SIGNED_IN


def _refusal(login: PasswordLogin, email: str, password: str) -> AuthError:
    with pytest.raises(AuthError) as refused:
        login.login(email=email, password=password, client=ATTACKER)
    assert refused.value.failure is REFUSED
    return refused.value


def test_105_wrong_passwords_for_one_account_are_answered_ten_times_then_refused(
    login: PasswordLogin, password_checks: list[str], services: Services, clock: MovableClock
) -> None:
    outcomes = [_try(login, ALICE, f"Wrong-guess-{n}") for n in range(105)]
    assert outcomes == [WRONG] * 10 + [REFUSED] * 95
    assert password_checks == [ALICE] * 10
    trail = audit_trail(services, "login.password")
    assert trail == [("failure", "invalid_credentials")] * 10 + [("failure", "throttled")] * 95
    clock.advance(minutes=4)
    refusal = _refusal(login, ALICE, "Wrong-guess-106")
    assert refusal.retry_after == 11 * 60
    assert refusal.user_message == "Too many attempts. Try again in 11 minutes."


def test_120_guesses_over_30_accounts_from_one_address_stop_at_50(
    login: PasswordLogin, password_checks: list[str], cognito: CognitoFixture
) -> None:
    accounts = [ALICE, "bob@example.com", "admin@example.com"]
    accounts += [f"person{n}@example.com" for n in range(27)]
    outcomes = [_try(login, accounts[n % 30], f"Guess-{n}") for n in range(120)]
    assert outcomes == [WRONG] * 50 + [REFUSED] * 70
    assert len(password_checks) == 50
    # The address is paused, even for a right password; the accounts are not.
    assert _try(login, ALICE, cognito.user(ALICE).password) is REFUSED
    assert _try(login, ALICE, cognito.user(ALICE).password, ELSEWHERE) == SIGNED_IN


def test_the_right_password_is_refused_while_the_account_is_paused(
    login: PasswordLogin, password_checks: list[str], cognito: CognitoFixture, clock: MovableClock
) -> None:
    right = cognito.user(ALICE).password
    for n in range(10):
        _try(login, ALICE, f"Wrong-guess-{n}")
    assert _try(login, ALICE, right) is REFUSED
    assert _try(login, ALICE, right, ELSEWHERE) is REFUSED
    assert len(password_checks) == 10  # the right password never reached Cognito: no oracle
    clock.advance(minutes=15)
    assert _try(login, ALICE, right) == SIGNED_IN


def test_a_known_and_an_unknown_address_get_the_same_refusal(login: PasswordLogin) -> None:
    for email in (ALICE, "nobody@example.com"):
        assert [_try(login, email, f"Wrong-{n}") for n in range(10)] == [WRONG] * 10
    known = _refusal(login, ALICE, "Wrong-11")
    unknown = _refusal(login, "nobody@example.com", "Wrong-11")
    assert (known.user_message, known.retry_after) == (unknown.user_message, unknown.retry_after)
    assert known.user_message == "Too many attempts. Try again in 15 minutes."


def test_a_right_password_gives_its_slot_back(
    login: PasswordLogin, cognito: CognitoFixture
) -> None:
    right = cognito.user(ALICE).password
    assert [_try(login, ALICE, f"Wrong-{n}") for n in range(9)] == [WRONG] * 9
    assert _try(login, ALICE, right) == SIGNED_IN
    assert _try(login, ALICE, "Wrong-10") is WRONG
    assert _try(login, ALICE, "Wrong-11") is REFUSED


def test_the_account_page_password_check_shares_the_limit(
    services: Services, login: PasswordLogin, cognito: CognitoFixture, clock: MovableClock
) -> None:
    right = cognito.user(ALICE).password
    signed_in = login.login(email=ALICE, password=right, client=ELSEWHERE)
    assert isinstance(signed_in, LoginSucceeded)
    session_id, user = session_of(services, signed_in)
    account = PasskeyAccount(
        engine=services.engine,
        gateway=services.gateway,
        ceremonies=services.ceremonies,
        sessions=services.sessions,
        clock=clock,
    )

    def confirm(password: str) -> object:
        try:
            account.confirm_with_password(
                user=user, session_id=session_id, password=password, client=ATTACKER
            )
        except AuthError as error:
            return error.failure
        return "confirmed"

    assert [_try(login, ALICE, f"Wrong-{n}") for n in range(6)] == [WRONG] * 6
    assert [confirm(f"Wrong-again-{n}") for n in range(4)] == [WRONG] * 4
    assert confirm(right) is REFUSED
    assert _try(login, ALICE, right, ELSEWHERE) is REFUSED
    assert audit_trail(services, "reauth.password")[-1] == ("failure", "throttled")
    clock.advance(minutes=15)
    assert confirm(right) == "confirmed"
