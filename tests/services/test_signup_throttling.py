"""Mass sign-up from one address, performed: 20 completed sign-ups an hour (passkey or
email link, counted together); the refusal comes before Cognito, so it makes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from passkey_app.services.audit import ClientInfo
from passkey_app.services.container import Services
from passkey_app.services.errors import AuthError, AuthFailure
from passkey_app.services.magic_links.store import LinkPurpose
from passkey_app.services.sessions.store import LoginSucceeded
from tests.services.flows import audit_trail
from tests.services.magic_links.support import MovableClock, build_links, sent_mail, verify_sender
from tests.support.authenticator import SoftAuthenticator

FARM = ClientInfo(ip_address="198.51.100.30", user_agent="sign-up script")
ELSEWHERE = ClientInfo(ip_address="203.0.113.31", user_agent="browser")


def _sign_up(services: Services, email: str, client: ClientInfo = FARM) -> LoginSucceeded:
    ceremony = services.passkey_signup.begin(email=email, client=client)
    _, response = SoftAuthenticator().create(ceremony.options)
    return services.passkey_signup.finish(handle=ceremony.handle, response=response, client=client)


def _passkey_accounts(services: Services) -> int:
    with services.engine.connect() as connection:
        return int(connection.execute(text("SELECT COUNT(*) FROM webauthn_user")).scalar_one())


def test_the_21st_sign_up_from_one_address_in_an_hour_makes_nothing(services: Services) -> None:
    for n in range(20):
        _sign_up(services, f"bot{n}@example.com")
    with pytest.raises(AuthError) as refused:
        _sign_up(services, "bot20@example.com")
    assert refused.value.failure is AuthFailure.THROTTLED
    assert refused.value.user_message == "Too many attempts. Try again in 60 minutes."
    assert services.gateway.find_user(email="bot20@example.com") is None
    assert _passkey_accounts(services) == 20
    assert audit_trail(services, "signup.passkey")[-1] == ("throttled", "ip")
    assert _sign_up(services, "person@example.com", ELSEWHERE).handoff_code


def test_sign_ups_that_do_not_complete_do_not_count(services: Services) -> None:
    for _ in range(21):
        with pytest.raises(AuthError) as failed:
            _sign_up(services, "alice@example.com")  # taken: Cognito refuses to create it
        assert failed.value.failure is AuthFailure.SIGNUP_NOT_COMPLETED
    assert _sign_up(services, "newcomer@example.com").handoff_code


def test_a_sign_up_by_email_link_counts_against_the_same_limit(services: Services) -> None:
    verify_sender()
    links = build_links(services, MovableClock())
    for n in range(20):
        _sign_up(services, f"bot{n}@example.com")
    binding = "farm-browser-binding-value-0123456789"
    links.request(
        email="linked@example.com", purpose=LinkPurpose.SIGNUP, binding=binding, client=ELSEWHERE
    )
    [mail] = [mail for mail in sent_mail() if mail.to == ["linked@example.com"]]
    with pytest.raises(AuthError) as refused:
        links.redeem(token=mail.token, binding=binding, confirmed=False, client=FARM)
    assert refused.value.failure is AuthFailure.THROTTLED
    assert refused.value.retry_after > 59 * 60
    assert services.gateway.find_user(email="linked@example.com") is None
    assert audit_trail(services, "magic_link.redeem") == [("failure", "signup-ip")]
