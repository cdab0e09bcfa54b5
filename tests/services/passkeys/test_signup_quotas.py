"""Sign-ups when Cognito's quotas bite: whichever step is refused, the person is told the
service is busy and no half-made account stays behind (no Cognito user without its
passkey row, no row without its user), so trying again simply works."""

from __future__ import annotations

from sqlmodel import select

from passkey_app.db import session_scope
from passkey_app.models import WebAuthnUser
from passkey_app.services.container import Services
from passkey_app.services.errors import CognitoBusyError
from tests.conftest import CognitoFixture
from tests.services.flows import session_of, sign_up
from tests.support.authenticator import SoftAuthenticator
from tests.support.quotas import BUSY, ManualClock, cognito_quotas


def _passkey_users_in_cognito(cognito: CognitoFixture) -> set[str]:
    users = cognito.client.list_users(UserPoolId=cognito.pool.user_pool_id)["Users"]
    return {
        attributes["sub"]
        for attributes in ({a["Name"]: a["Value"] for a in u["Attributes"]} for u in users)
        if attributes.get("custom:createdByPasskey") == "true"
    }


def _passkey_users_in_db(services: Services) -> set[str]:
    with session_scope(services.engine) as db:
        return {row.user_sub for row in db.exec(select(WebAuthnUser)).all()}


def _burst(services: Services, emails: list[str]) -> list[str]:
    outcomes = []
    for email in emails:
        try:
            sign_up(services, SoftAuthenticator(), email)
            outcomes.append("signed up")
        except CognitoBusyError as error:
            assert error.user_message == BUSY
            outcomes.append("busy")
    return outcomes


def test_a_sign_up_burst_over_user_creation_leaves_no_half_made_account(
    no_retries: Services, cognito: CognitoFixture
) -> None:
    emails = [f"burst-{n}@example.com" for n in range(4)]
    with cognito_quotas({"UserCreation": 2}, ManualClock()):
        assert _burst(no_retries, emails) == ["signed up", "signed up", "busy", "busy"]
    made = _passkey_users_in_cognito(cognito)
    assert len(made) == 2 and made == _passkey_users_in_db(no_retries)


def test_a_refusal_after_the_user_was_made_deletes_it_again(
    no_retries: Services, cognito: CognitoFixture
) -> None:
    # AdminCreateUser passes, AdminSetUserPassword (UserAccountRecovery) is refused.
    with cognito_quotas({"UserAccountRecovery": 1}, ManualClock()) as limiter:
        limiter.admit("AdminSetUserPassword")
        assert _burst(no_retries, ["half-way@example.com"]) == ["busy"]
    assert _passkey_users_in_cognito(cognito) == set() == _passkey_users_in_db(no_retries)


def test_a_refused_session_mint_undoes_the_whole_sign_up(
    no_retries: Services, cognito: CognitoFixture
) -> None:
    # The user and the passkey are made; answering the custom challenge is refused.
    with cognito_quotas(
        {"UserAuthentication": 1, "RespondToAuthChallenge": 1}, ManualClock()
    ) as limiter:
        limiter.admit("AdminRespondToAuthChallenge")
        assert _burst(no_retries, ["mint-refused@example.com"]) == ["busy"]
    assert _passkey_users_in_cognito(cognito) == set() == _passkey_users_in_db(no_retries)


def test_trying_again_after_busy_signs_up(no_retries: Services, cognito: CognitoFixture) -> None:
    clock = ManualClock()
    with cognito_quotas({"UserCreation": 1}, clock) as limiter:
        limiter.admit("AdminCreateUser")
        assert _burst(no_retries, ["again@example.com"]) == ["busy"]
        clock.now += 1
        login = sign_up(no_retries, SoftAuthenticator(), "again@example.com")
    _, user = session_of(no_retries, login)
    assert user.email == "again@example.com"
    assert _passkey_users_in_cognito(cognito) == {user.sub} == _passkey_users_in_db(no_retries)
