"""Passkey ceremony starts from one client, performed as a script would: 20 a minute per
browser tab, 120 a minute per address, and at most five live challenges per tab."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import text

from passkey_app.services.audit import ClientInfo
from passkey_app.services.client_address import tab_key
from passkey_app.services.container import Services
from passkey_app.services.errors import AuthError, AuthFailure
from passkey_app.services.passkeys.account import PasskeyAccount
from passkey_app.services.passkeys.login import PasskeyLogin, PasskeyStep, PasswordStep
from passkey_app.services.passkeys.signup import PasskeySignup
from tests.services.flows import session_of, sign_up
from tests.services.magic_links.support import MovableClock
from tests.support.authenticator import SoftAuthenticator

ADDRESS = "198.51.100.7"
TAB = ClientInfo(ip_address=ADDRESS, user_agent="script", tab_key=tab_key("tab-1"))
SERVED = "served"


@dataclass
class Flows:
    """The three services that start ceremonies, on one movable clock."""

    login: PasskeyLogin
    signup: PasskeySignup
    account: PasskeyAccount
    clock: MovableClock


@pytest.fixture
def flows(services: Services) -> Flows:
    clock = MovableClock()
    shared = {
        "engine": services.engine,
        "gateway": services.gateway,
        "ceremonies": services.ceremonies,
        "sessions": services.sessions,
        "clock": clock,
    }
    return Flows(
        login=PasskeyLogin(key_ring=services.key_ring, **shared),  # type: ignore[arg-type]
        signup=PasskeySignup(
            key_ring=services.key_ring,
            confirmations=services.magic_links,
            **shared,  # type: ignore[arg-type]
        ),
        account=PasskeyAccount(**shared),  # type: ignore[arg-type]
        clock=clock,
    )


def _start(start: Callable[[], object]) -> object:
    try:
        start()
    except AuthError as error:
        return error.failure
    return SERVED


def _challenges(services: Services, client: ClientInfo | None = None) -> int:
    """Challenge rows in the database: all of them, or one tab's."""
    query = "SELECT COUNT(*) FROM webauthn_challenge"
    if client is not None:
        query += " WHERE client_key = :key"
    with services.engine.connect() as connection:
        found = connection.execute(text(query), {"key": client.tab_key if client else None})
        return int(found.scalar_one())


def test_600_option_requests_from_one_tab_are_mostly_refused_and_leave_five_challenges(
    services: Services, flows: Flows
) -> None:
    outcomes = [_start(lambda: flows.login.discoverable_options(client=TAB)) for _ in range(600)]
    assert outcomes == [SERVED] * 20 + [AuthFailure.THROTTLED] * 580
    assert _challenges(services) == 5


def test_a_script_that_makes_a_new_tab_per_request_is_stopped_by_its_address(
    services: Services, flows: Flows
) -> None:
    outcomes = [
        _start(
            lambda n=n: flows.login.discoverable_options(  # type: ignore[misc]
                client=ClientInfo(ip_address=ADDRESS, tab_key=tab_key(f"tab-{n}"))
            )
        )
        for n in range(600)
    ]
    assert outcomes == [SERVED] * 120 + [AuthFailure.THROTTLED] * 480
    assert _challenges(services) == 120
    other_address = ClientInfo(ip_address="203.0.113.8", tab_key=tab_key("tab-x"))
    assert _start(lambda: flows.login.discoverable_options(client=other_address)) == SERVED


def test_every_kind_of_ceremony_start_counts_against_the_tab(
    services: Services, flows: Flows
) -> None:
    sign_up(services, SoftAuthenticator(), "pat@example.com")
    _, pat = session_of(services, sign_up(services, SoftAuthenticator(), "sam@example.com"))
    starts: list[Callable[[], object]] = [
        lambda: flows.login.discoverable_options(client=TAB),
        lambda: flows.login.step_for_email(email="pat@example.com", client=TAB),
        lambda: flows.signup.begin(email="new@example.com", client=TAB),
        lambda: flows.account.begin_add(user=pat, client=TAB),
        lambda: flows.account.reauthentication_options(user=pat, client=TAB),
    ]
    assert [_start(start) for start in starts * 4] == [SERVED] * 20
    assert [_start(start) for start in starts] == [AuthFailure.THROTTLED] * 5
    assert _challenges(services, TAB) == 5


def test_the_email_step_refuses_known_and_unknown_addresses_alike(
    services: Services, flows: Flows
) -> None:
    sign_up(services, SoftAuthenticator(), "pat@example.com")
    known = flows.login.step_for_email(email="pat@example.com", client=TAB)
    unknown = flows.login.step_for_email(email="nobody@example.com", client=TAB)
    assert isinstance(known, PasskeyStep) and isinstance(unknown, PasswordStep)
    for n in range(18):
        flows.login.step_for_email(email=f"probe{n}@example.com", client=TAB)
    refusals = []
    for email in ("pat@example.com", "nobody@example.com"):
        with pytest.raises(AuthError) as refused:
            flows.login.step_for_email(email=email, client=TAB)
        refusals.append((refused.value.failure, refused.value.user_message))
    assert refusals[0] == refusals[1] == (AuthFailure.THROTTLED, refusals[0][1])


def test_a_refused_tab_is_told_when_to_try_again(flows: Flows) -> None:
    for _ in range(20):
        flows.login.discoverable_options(client=TAB)
    flows.clock.advance(seconds=45)
    with pytest.raises(AuthError) as refused:
        flows.login.discoverable_options(client=TAB)
    assert refused.value.retry_after == 15
    assert refused.value.user_message == "Too many attempts. Try again in 15 seconds."
    flows.clock.advance(seconds=15)
    assert _start(lambda: flows.login.discoverable_options(client=TAB)) == SERVED


def test_a_page_holding_three_challenges_keeps_them_all(services: Services, flows: Flows) -> None:
    """The sign-in page's button, autofill and email step, each after a few retries."""
    sign_up(services, device := SoftAuthenticator(), "pat@example.com")
    for _ in range(3):
        button = flows.login.discoverable_options(client=TAB)
        autofill = flows.login.discoverable_options(client=TAB)
        step = flows.login.step_for_email(email="pat@example.com", client=TAB)
    assert isinstance(step, PasskeyStep)
    for ceremony in (button, autofill, step.ceremony):
        response = device.get(ceremony.options)
        signed_in = flows.login.finish(handle=ceremony.handle, response=response, client=TAB)
        assert signed_in.handoff_code
