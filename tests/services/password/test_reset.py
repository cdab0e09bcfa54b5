"""'Forgot your password?' against the moto pool with the stand-in's mail: the code in the
outbox works once and signs the person in, wrong codes are refused (and limited, tried as
an attacker would), every address gets the same answer, passkey accounts get no code, an
administrator's reset leads here, and a reset ends the other sessions and is mailed."""

from __future__ import annotations

import pytest

from passkey_app.services.audit import AuditEventType, ClientInfo
from passkey_app.services.container import Services
from passkey_app.services.errors import AuthError, AuthFailure
from passkey_app.services.password.policy import BREAKS_RULES, PasswordRulesError
from passkey_app.services.password.reset import PasswordReset, clean_code
from passkey_app.services.sessions.store import LoginSucceeded
from tests.conftest import CognitoFixture
from tests.services.flows import audit_trail, session_of, sign_up
from tests.services.magic_links.support import MovableClock, verify_sender
from tests.services.password.support import codes_mailed_to, newest_code, notices_to, other_than
from tests.support.authenticator import SoftAuthenticator

ALICE, BOB, NOBODY = "alice@example.com", "bob@example.com", "nobody@example.com"
NEW = "Alice-new-pass-2!"
CLIENT = ClientInfo(ip_address="203.0.113.9", user_agent="pytest")
ATTACKER = ClientInfo(ip_address="198.51.100.66", user_agent="guesser")


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock()


@pytest.fixture
def reset(services: Services, clock: MovableClock) -> PasswordReset:
    """The service as the container builds it (background work at once), on the test's
    clock, with security notices that really go out."""
    verify_sender()
    return PasswordReset(
        engine=services.engine,
        gateway=services.gateway,
        sessions=services.sessions,
        notices=services.notices,
        clock=clock,
    )


def signs_in(services: Services, email: str, password: str) -> bool:
    try:
        services.gateway.password_auth(email=email, password=password)
    except AuthError as error:
        assert error.failure is AuthFailure.INVALID_CREDENTIALS
        return False
    return True


def failure_of(
    reset: PasswordReset, email: str, code: str, client: ClientInfo = CLIENT, password: str = NEW
) -> AuthFailure:
    """The failure of one reset attempt that must fail."""
    with pytest.raises(AuthError) as raised:
        reset.reset(email=email, code=code, new_password=password, client=client)
    return raised.value.failure


def test_the_mailed_code_sets_the_password_once_and_signs_in(
    reset: PasswordReset, services: Services, cognito: CognitoFixture
) -> None:
    reset.request_code(email=" Alice@Example.com ", client=CLIENT)
    assert len(codes_mailed_to(ALICE)) == 1
    code = newest_code(ALICE)
    login = reset.reset(email=ALICE, code=code, new_password=NEW, client=CLIENT)
    assert isinstance(login, LoginSucceeded)
    _, user = session_of(services, login)
    assert (user.email, user.auth_method) == (ALICE, "password")
    assert signs_in(services, ALICE, NEW)
    assert not signs_in(services, ALICE, cognito.user(ALICE).password)
    assert failure_of(reset, ALICE, code, password="Other-pass-3!") is AuthFailure.CODE_EXPIRED
    assert signs_in(services, ALICE, NEW)
    assert audit_trail(services, AuditEventType.PASSWORD_RESET_REQUEST) == [("success", "")]
    assert audit_trail(services, AuditEventType.PASSWORD_RESET) == [
        ("success", ""),
        ("failure", "code_expired"),
    ]
    assert ("success", "") in audit_trail(services, AuditEventType.LOGIN_PASSWORD)


def test_a_code_may_be_typed_with_spaces_or_a_dash() -> None:
    assert clean_code(" 123 456 ") == "123456"
    assert clean_code("123-456") == "123456"
    assert clean_code("12345") is None
    assert clean_code("12345a") is None
    assert clean_code("1234567") is None


def test_a_wrong_code_is_refused_and_changes_nothing(
    reset: PasswordReset, services: Services, cognito: CognitoFixture
) -> None:
    reset.request_code(email=ALICE, client=CLIENT)
    code = newest_code(ALICE)
    assert failure_of(reset, ALICE, other_than(code)) is AuthFailure.CODE_INVALID
    assert signs_in(services, ALICE, cognito.user(ALICE).password)
    reset.reset(email=ALICE, code=code, new_password=NEW, client=CLIENT)
    assert signs_in(services, ALICE, NEW)


def test_an_unknown_address_gets_the_same_answers_and_no_mail(
    reset: PasswordReset, services: Services
) -> None:
    assert reset.request_code(email=NOBODY, client=CLIENT) is None
    assert codes_mailed_to(NOBODY) == []
    reset.request_code(email=ALICE, client=CLIENT)
    unknown = failure_of(reset, NOBODY, "123456")
    known_wrong = failure_of(reset, ALICE, other_than(newest_code(ALICE)))
    assert unknown is known_wrong is AuthFailure.CODE_INVALID
    assert ("refused", "no account") in audit_trail(services, AuditEventType.PASSWORD_RESET_REQUEST)


def test_a_passkey_account_gets_no_code(reset: PasswordReset, services: Services) -> None:
    sign_up(services, SoftAuthenticator(), "pia@example.com")
    reset.request_code(email="pia@example.com", client=CLIENT)
    assert codes_mailed_to("pia@example.com") == []
    assert audit_trail(services, AuditEventType.PASSWORD_RESET_REQUEST) == [
        ("refused", "passkey account")
    ]


def test_one_code_a_minute_per_account_and_the_answer_never_changes(
    reset: PasswordReset, clock: MovableClock
) -> None:
    reset.request_code(email=ALICE, client=CLIENT)
    reset.request_code(email=ALICE, client=ATTACKER)
    assert len(codes_mailed_to(ALICE)) == 1
    clock.advance(seconds=61)
    reset.request_code(email=ALICE, client=CLIENT)
    assert len(codes_mailed_to(ALICE)) == 2


def test_ten_requests_per_ip_then_a_refusal_that_says_when(reset: PasswordReset) -> None:
    for number in range(10):
        reset.request_code(email=f"someone-{number}@example.com", client=ATTACKER)
    with pytest.raises(AuthError) as refused:
        reset.request_code(email=ALICE, client=ATTACKER)
    assert refused.value.failure is AuthFailure.THROTTLED
    assert refused.value.user_message == "Too many attempts. Try again in 15 minutes."
    assert codes_mailed_to(ALICE) == []
    reset.request_code(email=ALICE, client=CLIENT)
    assert len(codes_mailed_to(ALICE)) == 1


def test_a_guesser_is_stopped_after_ten_wrong_codes_even_with_fresh_codes(
    reset: PasswordReset, services: Services, cognito: CognitoFixture, clock: MovableClock
) -> None:
    outcomes: list[AuthFailure] = []
    for _ in range(2):
        reset.request_code(email=ALICE, client=ATTACKER)
        wrong = other_than(newest_code(ALICE))
        outcomes += [failure_of(reset, ALICE, wrong, ATTACKER) for _ in range(5)]
        clock.advance(seconds=61)
    assert outcomes == [AuthFailure.CODE_INVALID] * 10
    reset.request_code(email=ALICE, client=CLIENT)
    right = newest_code(ALICE)
    assert failure_of(reset, ALICE, right) is AuthFailure.THROTTLED
    assert signs_in(services, ALICE, cognito.user(ALICE).password)
    clock.advance(minutes=15)
    reset.reset(email=ALICE, code=right, new_password=NEW, client=CLIENT)
    assert signs_in(services, ALICE, NEW)


def test_a_password_the_policy_refuses_costs_no_code_attempt(
    reset: PasswordReset, services: Services
) -> None:
    reset.request_code(email=ALICE, client=CLIENT)
    code = newest_code(ALICE)
    with pytest.raises(PasswordRulesError) as refused:
        reset.reset(email=ALICE, code=code, new_password="alice-short", client=CLIENT)
    assert refused.value.user_message == BREAKS_RULES
    assert refused.value.unmet == (
        "At least 12 characters",
        "An upper-case letter (A-Z)",
        "A number (0-9)",
    )
    reset.reset(email=ALICE, code=code, new_password=NEW, client=CLIENT)
    assert signs_in(services, ALICE, NEW)


def test_a_reset_ends_the_other_sessions_and_is_mailed(
    reset: PasswordReset, services: Services, cognito: CognitoFixture
) -> None:
    earlier = services.password_login.login(
        email=ALICE, password=cognito.user(ALICE).password, client=CLIENT
    )
    assert isinstance(earlier, LoginSucceeded)
    earlier_id, _ = session_of(services, earlier)
    bob = services.password_login.login(
        email=BOB, password=cognito.user(BOB).password, client=CLIENT
    )
    assert isinstance(bob, LoginSucceeded)
    bob_id, _ = session_of(services, bob)
    reset.request_code(email=ALICE, client=CLIENT)
    login = reset.reset(email=ALICE, code=newest_code(ALICE), new_password=NEW, client=CLIENT)
    new_id, _ = session_of(services, login)
    assert services.sessions.current(earlier_id) is None
    assert services.sessions.current(new_id) is not None
    assert services.sessions.current(bob_id) is not None
    assert [mail.subject for mail in notices_to(ALICE)][-1] == "Your password was changed"


def test_an_administrators_reset_leads_into_the_code(
    reset: PasswordReset, services: Services, cognito: CognitoFixture
) -> None:
    cognito.client.admin_reset_user_password(UserPoolId=cognito.pool.user_pool_id, Username=ALICE)
    with pytest.raises(AuthError) as blocked:
        services.password_login.login(
            email=ALICE, password=cognito.user(ALICE).password, client=CLIENT
        )
    assert blocked.value.failure is AuthFailure.PASSWORD_RESET_REQUIRED
    assert "administrator" not in blocked.value.user_message
    reset.request_code(email=ALICE, client=CLIENT)
    login = reset.reset(email=ALICE, code=newest_code(ALICE), new_password=NEW, client=CLIENT)
    _, user = session_of(services, login)
    assert user.email == ALICE
    assert signs_in(services, ALICE, NEW)
