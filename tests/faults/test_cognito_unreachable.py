"""Cognito stops answering in the middle of a sign-up: the person gets one short
sentence, nothing half-made outlives Cognito's return, and the same address then signs
up. The stand-in runs as its own process; the app reaches it through a relay that goes
dark right after a chosen step (tests/support/fault_proxy.py)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from passkey_app.db import session_scope
from passkey_app.models import PasskeyCredential, SignupAttempt, WebAuthnUser
from passkey_app.services.cognito.gateway import DEFAULT_MAX_ATTEMPTS, client_config
from passkey_app.services.container import Services
from passkey_app.services.errors import MESSAGES, AuthError, AuthFailure
from tests.faults.conftest import StandInProcess
from tests.services.flows import CLIENT, audit_trail, session_of, sign_up
from tests.support.authenticator import SoftAuthenticator
from tests.support.fault_proxy import FaultProxy

UNAVAILABLE = MESSAGES[AuthFailure.UNAVAILABLE]


def _rows(services: Services) -> dict[str, int]:
    with session_scope(services.engine) as db:
        return {
            "users": len(db.exec(select(WebAuthnUser)).all()),
            "passkeys": len(db.exec(select(PasskeyCredential)).all()),
            "attempts": len(db.exec(select(SignupAttempt)).all()),
        }


@pytest.mark.parametrize(
    ("dark_after", "cognito_calls_made", "audited"),
    [
        # Gone before the sign-up's first Cognito call (options were issued without one).
        (None, [], "unavailable"),
        # The user exists; the permanent password and the undo cannot reach Cognito.
        ("AdminCreateUser", ["AdminCreateUser"], "unavailable"),
        # The account is whole in Cognito and the passkey stored; minting the session fails.
        (
            "AdminSetUserPassword",
            ["AdminCreateUser", "AdminSetUserPassword"],
            "undone: AuthError",
        ),
        # CUSTOM_AUTH opened, its answer cannot be sent.
        (
            "AdminInitiateAuth",
            ["AdminCreateUser", "AdminSetUserPassword", "AdminInitiateAuth"],
            "undone: AuthError",
        ),
    ],
)
def test_cognito_gone_mid_sign_up_says_so_and_the_address_signs_up_once_it_is_back(
    relayed_services: Services,
    relay: FaultProxy,
    stand_in_process: StandInProcess,
    dark_after: str | None,
    cognito_calls_made: list[str],
    audited: str,
) -> None:
    services = relayed_services
    email = f"fault-{dark_after or 'start'}@example.com".lower()
    ceremony = services.passkey_signup.begin(email=email, client=CLIENT)
    _, response = SoftAuthenticator().create(ceremony.options)
    relay.go_dark(after=dark_after)

    with pytest.raises(AuthError) as raised:
        services.passkey_signup.finish(handle=ceremony.handle, response=response, client=CLIENT)

    assert raised.value.failure is AuthFailure.UNAVAILABLE
    assert raised.value.user_message == UNAVAILABLE
    assert relay.relayed == cognito_calls_made
    assert relay.dropped, "the fault never reached the gateway"
    counts = _rows(services)
    assert (counts["users"], counts["passkeys"]) == (0, 0)
    assert counts["attempts"] == 1  # what to settle once Cognito is back
    assert audit_trail(services, "signup.passkey") == [("failure", audited)]

    relay.come_back()
    login = sign_up(services, SoftAuthenticator(), email)

    _, person = session_of(services, login)
    [user] = stand_in_process.users_with_email(email)
    assert {a["Name"]: a["Value"] for a in user["Attributes"]}["sub"] == person.sub
    assert _rows(services) == {"users": 1, "passkeys": 1, "attempts": 0}
    removed = [row for row in audit_trail(services, "signup.passkey") if row[0] == "undone"]
    assert removed == ([] if dark_after is None else [("undone", "half-made account removed")])


def test_the_sweep_removes_a_half_made_account_once_cognito_is_back(
    relayed_services: Services, relay: FaultProxy, stand_in_process: StandInProcess
) -> None:
    services = relayed_services
    email = "fault-sweep@example.com"
    ceremony = services.passkey_signup.begin(email=email, client=CLIENT)
    _, response = SoftAuthenticator().create(ceremony.options)
    relay.go_dark(after="AdminCreateUser")
    with pytest.raises(AuthError):
        services.passkey_signup.finish(handle=ceremony.handle, response=response, client=CLIENT)
    assert len(stand_in_process.users_with_email(email)) == 1  # Cognito could not be told

    assert services.provisional.sweep() == 0  # still dark: kept for the next sweep
    assert _rows(services)["attempts"] == 1
    relay.come_back()
    services.provisional.sweep()

    assert stand_in_process.users_with_email(email) == []
    assert _rows(services) == {"users": 0, "passkeys": 0, "attempts": 0}


def test_a_finished_account_is_never_taken_for_a_half_made_one(
    relayed_services: Services, relay: FaultProxy, stand_in_process: StandInProcess
) -> None:
    """A failed second sign-up of an address that already has an account (the attempt
    is settled on the next try) leaves that account alone."""
    services = relayed_services
    email = "fault-owner@example.com"
    sign_up(services, SoftAuthenticator(), email)
    relay.go_dark()
    with pytest.raises(AuthError):
        sign_up(services, SoftAuthenticator(), email)
    relay.come_back()
    with pytest.raises(AuthError) as raised:
        sign_up(services, SoftAuthenticator(), email)

    assert raised.value.failure is AuthFailure.SIGNUP_NOT_COMPLETED
    assert len(stand_in_process.users_with_email(email)) == 1
    # The refused attempt is kept until the next sign-up of the address (or the sweep)
    # has looked: it may not have known whether Cognito made a user.
    assert _rows(services) == {"users": 1, "passkeys": 1, "attempts": 1}
    services.provisional.sweep()
    assert len(stand_in_process.users_with_email(email)) == 1
    assert _rows(services) == {"users": 1, "passkeys": 1, "attempts": 0}


def test_a_silent_cognito_fails_a_call_within_45_seconds() -> None:
    """botocore's own limits bound the wait on a Cognito that accepts connections and
    never answers: every try waits at most connect + read timeout, and standard-mode
    backoff between tries is at most 1 s, then 2 s (the person is not kept a minute)."""
    config = client_config(max_attempts=DEFAULT_MAX_ATTEMPTS)
    tries = config.retries["total_max_attempts"]
    worst = tries * (config.connect_timeout + config.read_timeout) + sum(
        2**n for n in range(tries - 1)
    )
    assert (config.connect_timeout, config.read_timeout, tries) == (3, 10, 3)
    assert worst <= 45
