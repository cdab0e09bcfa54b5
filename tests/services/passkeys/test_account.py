"""Flow 5 and the offer after a password login, against a moto pool."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from passkey_app.services.container import Services
from passkey_app.services.errors import AuthError, AuthFailure
from passkey_app.services.passkeys.account import PasskeyAccount
from passkey_app.services.password.login import NewPasswordNeeded
from passkey_app.services.sessions.store import SignedInUser
from passkey_app.services.webauthn.errors import PasskeyRejectedError, RejectReason
from tests.conftest import CognitoFixture
from tests.services.flows import CLIENT, audit_trail, session_of, sign_up
from tests.support.authenticator import SoftAuthenticator

ALICE = "alice@example.com"


def _password_session(services: Services, cognito: CognitoFixture) -> tuple[str, SignedInUser]:
    login = services.password_login.login(
        email=ALICE, password=cognito.user(ALICE).password, client=CLIENT
    )
    assert not isinstance(login, NewPasswordNeeded)
    return session_of(services, login)


def _add(services: Services, user: SignedInUser, device: SoftAuthenticator) -> None:
    ceremony = services.passkey_account.begin_add(user=user, client=CLIENT)
    _, response = device.create(ceremony.options)
    services.passkey_account.finish_add(
        user=user, handle=ceremony.handle, response=response, client=CLIENT
    )


def _account_at(services: Services, moment: datetime) -> PasskeyAccount:
    return PasskeyAccount(
        engine=services.engine,
        gateway=services.gateway,
        ceremonies=services.ceremonies,
        sessions=services.sessions,
        clock=lambda: moment,
    )


def test_a_password_user_is_offered_a_passkey_until_they_add_one(
    services: Services, cognito: CognitoFixture
) -> None:
    _, user = _password_session(services, cognito)
    assert services.passkey_account.overview(user=user).offer_passkey is True
    _add(services, user, SoftAuthenticator())
    overview = services.passkey_account.overview(user=user)
    assert overview.offer_passkey is False
    assert [p.name for p in overview.passkeys] == ["Passkey"]
    assert overview.created_by_passkey is False


def test_not_now_snoozes_the_offer_for_two_weeks(
    services: Services, cognito: CognitoFixture
) -> None:
    _, user = _password_session(services, cognito)
    services.passkey_account.snooze_offer(user=user)
    assert services.passkey_account.overview(user=user).offer_passkey is False
    later = datetime.now(UTC) + timedelta(days=15)
    assert _account_at(services, later).overview(user=user).offer_passkey is True


def test_adding_a_passkey_needs_a_login_younger_than_five_minutes(
    services: Services, cognito: CognitoFixture
) -> None:
    session_id, user = _password_session(services, cognito)
    stale = _account_at(services, datetime.now(UTC) + timedelta(minutes=6))
    with pytest.raises(AuthError) as raised:
        stale.begin_add(user=user, client=CLIENT)
    assert raised.value.failure is AuthFailure.REAUTHENTICATION_REQUIRED

    with pytest.raises(AuthError) as wrong:
        stale.confirm_with_password(
            user=user, session_id=session_id, password="Wrong-pass-123!", client=CLIENT
        )
    assert wrong.value.failure is AuthFailure.INVALID_CREDENTIALS
    stale.confirm_with_password(
        user=user, session_id=session_id, password=cognito.user(ALICE).password, client=CLIENT
    )
    confirmed = services.sessions.current(session_id)
    assert confirmed is not None
    assert confirmed.authenticated_at > user.authenticated_at
    assert audit_trail(services, "reauth.password") == [
        ("failure", "invalid_credentials"),
        ("success", ""),
    ]


def test_a_passkey_confirms_it_is_the_same_person(services: Services) -> None:
    device = SoftAuthenticator()
    session_id, user = session_of(services, sign_up(services, device, "pat@example.com"))
    ceremony = services.passkey_account.reauthentication_options(user=user, client=CLIENT)
    assert ceremony is not None
    services.passkey_account.confirm_with_passkey(
        user=user,
        session_id=session_id,
        handle=ceremony.handle,
        response=device.get(ceremony.options),
        client=CLIENT,
    )
    assert audit_trail(services, "reauth.passkey") == [("success", "")]


def test_the_same_authenticator_cannot_register_twice(
    services: Services, cognito: CognitoFixture
) -> None:
    _, user = _password_session(services, cognito)
    device = SoftAuthenticator()
    _add(services, user, device)
    ceremony = services.passkey_account.begin_add(user=user, client=CLIENT)
    excluded = [item["id"] for item in ceremony.options["excludeCredentials"]]
    assert excluded == [device.credentials[0].id]
    _, response = device.create(ceremony.options, credential_id=device.credentials[0].credential_id)
    with pytest.raises(PasskeyRejectedError) as raised:
        services.passkey_account.finish_add(
            user=user, handle=ceremony.handle, response=response, client=CLIENT
        )
    assert raised.value.reason is RejectReason.CREDENTIAL_EXISTS


def test_rename_and_delete_only_touch_the_owners_passkeys(
    services: Services, cognito: CognitoFixture
) -> None:
    _, alice = _password_session(services, cognito)
    _add(services, alice, SoftAuthenticator())
    _, pat = session_of(services, sign_up(services, SoftAuthenticator(), "pat@example.com"))
    alices = services.passkey_account.overview(user=alice).passkeys[0].id

    with pytest.raises(AuthError) as renamed:
        services.passkey_account.rename(user=pat, passkey_id=alices, name="mine", client=CLIENT)
    assert renamed.value.failure is AuthFailure.PASSKEY_NOT_FOUND
    with pytest.raises(AuthError) as deleted:
        services.passkey_account.delete(user=pat, passkey_id=alices, client=CLIENT)
    assert deleted.value.failure is AuthFailure.PASSKEY_NOT_FOUND

    with pytest.raises(AuthError) as blank:
        services.passkey_account.rename(user=alice, passkey_id=alices, name="  ", client=CLIENT)
    assert blank.value.failure is AuthFailure.INVALID_PASSKEY_NAME
    services.passkey_account.rename(user=alice, passkey_id=alices, name=" Laptop ", client=CLIENT)
    assert services.passkey_account.overview(user=alice).passkeys[0].name == "Laptop"
    services.passkey_account.delete(user=alice, passkey_id=alices, client=CLIENT)
    assert services.passkey_account.overview(user=alice).passkeys == ()
    assert audit_trail(services, "passkey.rename") == [("success", f"passkey={alices}")]
    assert audit_trail(services, "passkey.delete") == [("success", f"passkey={alices}")]


def test_a_passkey_only_account_keeps_its_last_passkey(services: Services) -> None:
    device = SoftAuthenticator()
    _, pat = session_of(services, sign_up(services, device, "pat@example.com"))
    only = services.passkey_account.overview(user=pat).passkeys[0].id
    with pytest.raises(AuthError) as raised:
        services.passkey_account.delete(user=pat, passkey_id=only, client=CLIENT)
    assert raised.value.failure is AuthFailure.LAST_WAY_IN
    _add(services, pat, SoftAuthenticator())
    services.passkey_account.delete(user=pat, passkey_id=only, client=CLIENT)
    assert len(services.passkey_account.overview(user=pat).passkeys) == 1


def _two_passkeys(services: Services, cognito: CognitoFixture) -> tuple[SignedInUser, list[int]]:
    _, user = _password_session(services, cognito)
    _add(services, user, SoftAuthenticator())
    _add(services, user, SoftAuthenticator())
    ids = [p.id for p in services.passkey_account.overview(user=user).passkeys]
    return user, ids


def test_a_two_hour_old_session_cannot_remove_or_rename_a_passkey(
    services: Services, cognito: CognitoFixture
) -> None:
    user, ids = _two_passkeys(services, cognito)
    names = [p.name for p in services.passkey_account.overview(user=user).passkeys]
    stale = _account_at(services, datetime.now(UTC) + timedelta(hours=2))
    for attempt in (
        lambda: stale.delete(user=user, passkey_id=ids[0], client=CLIENT),
        lambda: stale.rename(user=user, passkey_id=ids[0], name="Hijacked", client=CLIENT),
    ):
        with pytest.raises(AuthError) as refused:
            attempt()
        assert refused.value.failure is AuthFailure.REAUTHENTICATION_REQUIRED
    overview = services.passkey_account.overview(user=user)
    assert [p.id for p in overview.passkeys] == ids
    assert [p.name for p in overview.passkeys] == names
    assert audit_trail(services, "passkey.delete") == [("refused", "login too old")]
    assert audit_trail(services, "passkey.rename") == [("refused", "login too old")]


def test_a_fresh_session_removes_and_renames(services: Services, cognito: CognitoFixture) -> None:
    user, ids = _two_passkeys(services, cognito)
    fresh = _account_at(services, datetime.now(UTC) + timedelta(minutes=4))
    fresh.rename(user=user, passkey_id=ids[1], name="Work laptop", client=CLIENT)
    fresh.delete(user=user, passkey_id=ids[0], client=CLIENT)
    assert [p.name for p in services.passkey_account.overview(user=user).passkeys] == [
        "Work laptop"
    ]


def test_freshness_is_checked_again_when_the_add_ceremony_finishes(
    services: Services, cognito: CognitoFixture
) -> None:
    _, user = _password_session(services, cognito)
    ceremony = services.passkey_account.begin_add(user=user, client=CLIENT)
    _, response = SoftAuthenticator().create(ceremony.options)
    late = _account_at(services, datetime.now(UTC) + timedelta(minutes=5, seconds=30))
    with pytest.raises(AuthError) as refused:
        late.finish_add(user=user, handle=ceremony.handle, response=response, client=CLIENT)
    assert refused.value.failure is AuthFailure.REAUTHENTICATION_REQUIRED
    assert services.passkey_account.overview(user=user).passkeys == ()
    assert audit_trail(services, "passkey.register") == [("refused", "login too old")]
