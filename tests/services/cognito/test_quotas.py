"""Cognito's request-rate quotas seen from the app: botocore's standard retries absorb a
small burst; past them the person is told the service is busy, never shown a 500."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from passkey_app.db import session_scope
from passkey_app.models import BrowserSession
from passkey_app.services.container import Services, build_services
from passkey_app.services.errors import AuthFailure, CognitoBusyError
from passkey_app.settings import Settings
from tests.services.flows import CLIENT, audit_trail, session_of, sign_up
from tests.support.authenticator import SoftAuthenticator
from tests.support.quotas import BUSY, ManualClock, backoff_on, cognito_quotas


def test_over_the_quota_without_retries_the_person_is_told_busy(no_retries: Services) -> None:
    with cognito_quotas({"UserRead": 1}, ManualClock()):
        assert no_retries.gateway.find_user(email="alice@example.com") is not None
        with pytest.raises(CognitoBusyError) as refused:
            no_retries.gateway.find_user(email="alice@example.com")
    assert refused.value.failure is AuthFailure.BUSY
    assert refused.value.user_message == BUSY


def test_a_small_burst_passes_with_botocores_retries(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = ManualClock()
    backoff_on(clock, monkeypatch)
    with cognito_quotas({"UserRead": 1000}, clock) as limiter:
        while limiter.admit("AdminGetUser"):  # a burst has used up this second
            pass
        # One request over: botocore backs off (on the test's clock) and tries again.
        found = services.gateway.find_user(email="alice@example.com")
    assert found is not None and found.email == "alice@example.com"
    assert len(clock.waits) >= 1


def test_a_busy_passkey_sign_in_opens_no_session_and_says_busy(services: Services) -> None:
    device = SoftAuthenticator()
    sign_up(services, device, "busy-sign-in@example.com")
    ceremony = services.passkey_login.discoverable_options(client=CLIENT)
    response = device.get(ceremony.options)
    with (
        cognito_quotas({"UserAuthentication": 1}, ManualClock()) as limiter,
        pytest.raises(CognitoBusyError) as refused,
    ):
        limiter.admit("AdminInitiateAuth")  # another sign-in took this second's only one
        services.passkey_login.finish(handle=ceremony.handle, response=response, client=CLIENT)
    assert refused.value.user_message == BUSY
    with session_scope(services.engine) as db:
        assert len(db.exec(select(BrowserSession)).all()) == 1  # the sign-up's own
    assert audit_trail(services, "login.passkey")[-1] == ("failure", "cognito busy")


def test_a_busy_revalidation_keeps_the_session(settings: Settings, services: Services) -> None:
    login = sign_up(services, SoftAuthenticator(), "busy-refresh@example.com")
    session_id, _ = session_of(services, login)
    with session_scope(services.engine) as db:
        row = db.exec(select(BrowserSession)).one()
        row.revalidated_at = row.revalidated_at - timedelta(minutes=10)
        db.add(row)
    quiet = build_services(settings.model_copy(update={"cognito_max_attempts": 1}))
    try:
        with cognito_quotas({"UserAuthentication": 1}, ManualClock()) as limiter:
            limiter.admit("AdminInitiateAuth")
            user = quiet.sessions.current(session_id)
    finally:
        quiet.engine.dispose()
    assert user is not None and user.email == "busy-refresh@example.com"
    assert services.sessions.current(session_id) is not None
