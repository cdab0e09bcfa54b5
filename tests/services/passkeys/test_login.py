"""Flow 4 against a moto pool: email-first and usernameless passkey sign-in."""

from __future__ import annotations

import pytest
from sqlmodel import select

from passkey_app.db import session_scope
from passkey_app.models import AuditEvent, WebAuthnChallenge
from passkey_app.services.container import Services
from passkey_app.services.passkeys.login import PasskeyStep, PasswordStep
from passkey_app.services.webauthn.errors import PasskeyRejectedError, RejectReason
from tests.services.flows import CLIENT, audit_trail, session_of, sign_up
from tests.support.authenticator import SoftAuthenticator

PASSKEY_USER = "pat@example.com"


@pytest.fixture
def authenticator(services: Services) -> SoftAuthenticator:
    """An authenticator holding Pat's passkey from a fresh sign-up."""
    device = SoftAuthenticator()
    sign_up(services, device, PASSKEY_USER)
    return device


def test_unknown_and_password_users_get_the_same_password_step(services: Services) -> None:
    assert (
        services.passkey_login.step_for_email(email="nobody@example.com", client=CLIENT)
        == PasswordStep()
    )
    assert (
        services.passkey_login.step_for_email(email="alice@example.com", client=CLIENT)
        == PasswordStep()
    )


def test_a_passkey_user_gets_their_passkeys_and_no_password(
    services: Services, authenticator: SoftAuthenticator
) -> None:
    step = services.passkey_login.step_for_email(email=" Pat@Example.com ", client=CLIENT)
    assert isinstance(step, PasskeyStep)
    assert step.password_fallback is False
    allowed = [item["id"] for item in step.ceremony.options["allowCredentials"]]
    assert allowed == [authenticator.credentials[0].id]


def test_email_first_sign_in(services: Services, authenticator: SoftAuthenticator) -> None:
    step = services.passkey_login.step_for_email(email=PASSKEY_USER, client=CLIENT)
    assert isinstance(step, PasskeyStep)
    response = authenticator.get(step.ceremony.options)
    login = services.passkey_login.finish(
        handle=step.ceremony.handle, response=response, client=CLIENT
    )
    _, user = session_of(services, login)
    assert user.email == PASSKEY_USER and user.auth_method == "passkey"
    outcome, detail = audit_trail(services, "login.passkey")[-1]
    assert outcome == "success" and detail.startswith("passkey=")


def test_usernameless_sign_in(services: Services, authenticator: SoftAuthenticator) -> None:
    ceremony = services.passkey_login.discoverable_options(client=CLIENT)
    assert ceremony.options.get("allowCredentials", []) == []
    response = authenticator.get(ceremony.options)
    login = services.passkey_login.finish(handle=ceremony.handle, response=response, client=CLIENT)
    assert session_of(services, login)[1].email == PASSKEY_USER


def test_a_replayed_assertion_is_refused_and_audited(
    services: Services, authenticator: SoftAuthenticator
) -> None:
    ceremony = services.passkey_login.discoverable_options(client=CLIENT)
    response = authenticator.get(ceremony.options)
    services.passkey_login.finish(handle=ceremony.handle, response=response, client=CLIENT)
    with pytest.raises(PasskeyRejectedError) as raised:
        services.passkey_login.finish(handle=ceremony.handle, response=response, client=CLIENT)
    assert raised.value.reason is RejectReason.CHALLENGE_INVALID
    assert audit_trail(services, "login.passkey")[-1] == ("failure", "challenge_invalid")


def test_another_users_passkey_cannot_answer_an_email_first_challenge(
    services: Services, authenticator: SoftAuthenticator
) -> None:
    other_device = SoftAuthenticator()
    sign_up(services, other_device, "mallory@example.com")
    step = services.passkey_login.step_for_email(email=PASSKEY_USER, client=CLIENT)
    assert isinstance(step, PasskeyStep)
    response = other_device.get(step.ceremony.options)
    with pytest.raises(PasskeyRejectedError) as raised:
        services.passkey_login.finish(handle=step.ceremony.handle, response=response, client=CLIENT)
    assert raised.value.reason is RejectReason.WRONG_USER


def _finish_with_counter(services: Services, device: SoftAuthenticator, count: int) -> None:
    ceremony = services.passkey_login.discoverable_options(client=CLIENT)
    response = device.get(ceremony.options, sign_count=count)
    services.passkey_login.finish(handle=ceremony.handle, response=response, client=CLIENT)


def test_a_counter_regression_is_refused_and_audited(
    services: Services, authenticator: SoftAuthenticator
) -> None:
    _finish_with_counter(services, authenticator, 5)
    with pytest.raises(PasskeyRejectedError) as raised:
        _finish_with_counter(services, authenticator, 3)
    assert raised.value.reason is RejectReason.COUNTER_REGRESSION
    assert audit_trail(services, "login.passkey")[-1] == ("failure", "counter_regression")
    pat = services.gateway.find_user(email=PASSKEY_USER)
    with session_scope(services.engine) as db:
        flagged = db.exec(select(AuditEvent).order_by(AuditEvent.id.desc())).first()  # type: ignore[union-attr]
    assert pat is not None and flagged is not None and flagged.user_sub == pat.sub


def _challenge_rows(services: Services) -> int:
    with session_scope(services.engine) as db:
        return len(db.exec(select(WebAuthnChallenge)).all())


def test_the_email_step_does_the_same_work_for_every_kind_of_address(
    services: Services, authenticator: SoftAuthenticator
) -> None:
    # The same lookups and one challenge issued on every path, so the passkey step and the
    # password step take the same time (scripts/bench_passkeys.py measures both).
    for email, step in (
        (PASSKEY_USER, PasskeyStep),
        ("alice@example.com", PasswordStep),
        ("nobody@example.com", PasswordStep),
    ):
        before = _challenge_rows(services)
        assert isinstance(services.passkey_login.step_for_email(email=email, client=CLIENT), step)
        assert _challenge_rows(services) == before + 1
