"""'Change password' on the account page, against the moto pool: a fresh sign-in changes it
with no current password, an old one is refused, a passkey account has none, the policy is
checked first, other sessions end when asked, and the owner is mailed."""

from __future__ import annotations

import pytest

from passkey_app.services.audit import AuditEventType, ClientInfo
from passkey_app.services.container import Services
from passkey_app.services.errors import AuthError, AuthFailure
from passkey_app.services.password.change import NO_PASSWORD, NoPasswordError, PasswordChange
from passkey_app.services.password.policy import PasswordRulesError
from passkey_app.services.sessions.store import LoginSucceeded, SignedInUser
from tests.conftest import CognitoFixture
from tests.services.flows import audit_trail, session_of, sign_up
from tests.services.magic_links.support import MovableClock, verify_sender
from tests.services.password.support import notices_to
from tests.support.authenticator import SoftAuthenticator

ALICE = "alice@example.com"
NEW = "Alice-new-pass-2!"
LAPTOP = ClientInfo(ip_address="203.0.113.9", user_agent="laptop")
PHONE = ClientInfo(ip_address="198.51.100.23", user_agent="phone")


@pytest.fixture
def mailed(services: Services) -> Services:
    verify_sender()
    return services


def signed_in(
    services: Services, cognito: CognitoFixture, client: ClientInfo
) -> tuple[str, SignedInUser]:
    login = services.password_login.login(
        email=ALICE, password=cognito.user(ALICE).password, client=client
    )
    assert isinstance(login, LoginSucceeded)
    return session_of(services, login)


def signs_in(services: Services, password: str) -> bool:
    try:
        services.gateway.password_auth(email=ALICE, password=password)
    except AuthError:
        return False
    return True


def test_a_fresh_sign_in_changes_the_password_and_mails_the_owner(
    mailed: Services, cognito: CognitoFixture
) -> None:
    session_id, user = signed_in(mailed, cognito, LAPTOP)
    assert mailed.password_change.has_password(user=user)
    ended = mailed.password_change.change(
        user=user, new_password=NEW, session_id=session_id, client=LAPTOP
    )
    assert ended == 0
    assert signs_in(mailed, NEW)
    assert not signs_in(mailed, cognito.user(ALICE).password)
    assert mailed.sessions.current(session_id) is not None
    assert [mail.subject for mail in notices_to(ALICE)][-1] == "Your password was changed"
    assert audit_trail(mailed, AuditEventType.PASSWORD_CHANGE) == [("success", "")]


def test_a_sign_in_older_than_five_minutes_is_refused(
    services: Services, cognito: CognitoFixture
) -> None:
    session_id, user = signed_in(services, cognito, LAPTOP)
    clock = MovableClock()
    clock.advance(minutes=6)
    change = PasswordChange(
        engine=services.engine, gateway=services.gateway, sessions=services.sessions, clock=clock
    )
    assert change.needs_reauthentication(user=user)
    with pytest.raises(AuthError) as refused:
        change.change(user=user, new_password=NEW, session_id=session_id, client=LAPTOP)
    assert refused.value.failure is AuthFailure.REAUTHENTICATION_REQUIRED
    assert signs_in(services, cognito.user(ALICE).password)
    assert audit_trail(services, AuditEventType.PASSWORD_CHANGE) == [("refused", "login too old")]


def test_a_passkey_account_has_no_password_to_change(services: Services) -> None:
    login = sign_up(services, SoftAuthenticator(), "pia@example.com")
    session_id, user = session_of(services, login)
    assert not services.password_change.has_password(user=user)
    with pytest.raises(NoPasswordError) as refused:
        services.password_change.change(
            user=user, new_password=NEW, session_id=session_id, client=LAPTOP
        )
    assert refused.value.user_message == NO_PASSWORD


def test_a_password_the_policy_refuses_changes_nothing(
    services: Services, cognito: CognitoFixture
) -> None:
    session_id, user = signed_in(services, cognito, LAPTOP)
    with pytest.raises(PasswordRulesError) as refused:
        services.password_change.change(
            user=user, new_password="alice-pass-2!", session_id=session_id, client=LAPTOP
        )
    assert refused.value.unmet == ("An upper-case letter (A-Z)",)
    assert signs_in(services, cognito.user(ALICE).password)


def test_other_sessions_end_only_when_asked(services: Services, cognito: CognitoFixture) -> None:
    phone_id, _ = signed_in(services, cognito, PHONE)
    session_id, user = signed_in(services, cognito, LAPTOP)
    services.password_change.change(
        user=user, new_password=NEW, session_id=session_id, client=LAPTOP
    )
    assert services.sessions.current(phone_id) is not None
    ended = services.password_change.change(
        user=user,
        new_password="Alice-newer-pass-3!",
        session_id=session_id,
        client=LAPTOP,
        end_other_sessions=True,
    )
    assert ended == 1
    assert services.sessions.current(phone_id) is None
    assert services.sessions.current(session_id) is not None
