"""Going passwordless, decided by backup state, against the moto pool with software
authenticators: the password really stops working at Cognito, and only when a synced
(backed-up) passkey remains a way in."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from passkey_app.services.accounts.errors import AccountError, AccountFailure
from passkey_app.services.accounts.passwordless import (
    LAST_SYNCED_PASSKEY,
    Passwordless,
    mark_password_known,
)
from passkey_app.services.cognito.gateway import CognitoGateway
from passkey_app.services.container import Services
from passkey_app.services.errors import AuthError, AuthFailure
from passkey_app.services.passkeys.account import FRESH_LOGIN
from tests.conftest import CognitoFixture
from tests.services.accounts.lifecycle_support import add_passkey, audit_rows
from tests.services.flows import CLIENT, password_session
from tests.services.magic_links.support import sent_mail

ALICE = "alice@example.com"


def _password_works(svc: Services, cognito: CognitoFixture) -> bool:
    try:
        svc.gateway.password_auth(email=ALICE, password=cognito.user(ALICE).password)
    except AuthError as error:
        assert error.failure is AuthFailure.INVALID_CREDENTIALS
        return False
    return True


def test_a_person_with_a_synced_passkey_removes_their_password(
    svc: Services, cognito: CognitoFixture
) -> None:
    _, user = password_session(svc, cognito, ALICE)
    add_passkey(svc, user, synced=True)
    before = svc.passwordless.methods(user=user)
    assert (before.has_password, before.synced_passkeys, before.can_remove_password) == (
        True,
        1,
        True,
    )

    svc.passwordless.remove_password(user=user, client=CLIENT)

    assert _password_works(svc, cognito) is False
    after = svc.passwordless.methods(user=user)
    assert (after.has_password, after.can_remove_password) == (False, False)
    assert after.passwordless_since is not None
    assert [(row.outcome, row.email) for row in audit_rows(svc, "password.remove")] == [
        ("success", ALICE)
    ]
    removed = [mail for mail in sent_mail() if mail.subject == "Your password was removed"]
    assert [mail.to for mail in removed] == [[ALICE]]
    with pytest.raises(AccountError) as again:
        svc.passwordless.remove_password(user=user, client=CLIENT)
    assert again.value.failure is AccountFailure.ALREADY_PASSWORDLESS


@pytest.mark.parametrize(
    ("synced", "backed_up"),
    [(False, False), (True, False)],
    ids=["device-bound", "eligible-but-not-yet-backed-up"],
)
def test_going_passwordless_is_refused_while_no_passkey_is_backed_up(
    svc: Services, cognito: CognitoFixture, synced: bool, backed_up: bool
) -> None:
    _, user = password_session(svc, cognito, ALICE)
    add_passkey(svc, user, synced=synced, backed_up=backed_up)
    methods = svc.passwordless.methods(user=user)
    assert (methods.passkeys, methods.synced_passkeys, methods.can_remove_password) == (
        1,
        0,
        False,
    )

    with pytest.raises(AccountError) as refused:
        svc.passwordless.remove_password(user=user, client=CLIENT)

    assert refused.value.failure is AccountFailure.NO_SYNCED_PASSKEY
    assert refused.value.user_message.startswith("Add a synced passkey first")
    assert _password_works(svc, cognito) is True
    assert svc.passwordless.methods(user=user).has_password is True
    assert [(row.outcome, row.detail) for row in audit_rows(svc, "password.remove")] == [
        ("refused", "no_synced_passkey")
    ]


def test_a_password_user_without_passkeys_is_refused(
    svc: Services, cognito: CognitoFixture
) -> None:
    _, user = password_session(svc, cognito, ALICE)
    with pytest.raises(AccountError) as refused:
        svc.passwordless.remove_password(user=user, client=CLIENT)
    assert refused.value.failure is AccountFailure.NO_SYNCED_PASSKEY
    assert _password_works(svc, cognito) is True


def test_a_sign_in_older_than_five_minutes_must_be_confirmed_first(
    svc: Services, cognito: CognitoFixture
) -> None:
    _, user = password_session(svc, cognito, ALICE)
    add_passkey(svc, user, synced=True)
    later = datetime.now(UTC) + FRESH_LOGIN + timedelta(seconds=5)
    stale = Passwordless(
        engine=svc.engine, gateway=svc.gateway, fresh_login=FRESH_LOGIN, clock=lambda: later
    )
    with pytest.raises(AuthError) as refused:
        stale.remove_password(user=user, client=CLIENT)
    assert refused.value.failure is AuthFailure.REAUTHENTICATION_REQUIRED
    assert _password_works(svc, cognito) is True


def test_when_cognito_refuses_the_new_password_the_account_keeps_its_password_and_no_mark(
    svc: Services, cognito: CognitoFixture
) -> None:
    _, user = password_session(svc, cognito, ALICE)
    add_passkey(svc, user, synced=True)
    elsewhere = CognitoGateway(
        client=cognito.client,
        pool=dataclasses.replace(svc.pool, user_pool_id="us-east-1_Missing1"),
    )
    failing = Passwordless(engine=svc.engine, gateway=elsewhere, fresh_login=FRESH_LOGIN)
    with pytest.raises(AuthError):
        failing.remove_password(user=user, client=CLIENT)
    assert _password_works(svc, cognito) is True
    assert svc.passwordless.methods(user=user).has_password is True
    assert [row.outcome for row in audit_rows(svc, "password.remove")] == ["failure"]


def test_the_last_synced_passkey_of_a_passwordless_account_stays_until_another_is_added(
    svc: Services, cognito: CognitoFixture
) -> None:
    session_id, user = password_session(svc, cognito, ALICE)
    synced = add_passkey(svc, user, synced=True)
    device = add_passkey(svc, user, synced=False)
    svc.passwordless.remove_password(user=user, client=CLIENT)

    with pytest.raises(AuthError) as refused:
        svc.passkey_account.delete(
            user=user, passkey_id=synced.id, client=CLIENT, session_id=session_id
        )
    assert refused.value.failure is AuthFailure.LAST_WAY_IN
    assert refused.value.user_message == LAST_SYNCED_PASSKEY

    svc.passkey_account.delete(user=user, passkey_id=device.id, client=CLIENT)
    second = add_passkey(svc, user, synced=True)
    svc.passkey_account.delete(user=user, passkey_id=synced.id, client=CLIENT)
    with pytest.raises(AuthError) as last:
        svc.passkey_account.delete(user=user, passkey_id=second.id, client=CLIENT)
    assert last.value.failure is AuthFailure.LAST_WAY_IN
    remaining = [p.id for p in svc.passkey_account.overview(user=user).passkeys]
    assert remaining == [second.id]
    assert [(row.outcome, row.detail) for row in audit_rows(svc, "passkey.delete")] == [
        ("refused", "last synced passkey"),
        ("success", f"passkey={device.id}"),
        ("success", f"passkey={synced.id}"),
        ("refused", "last passkey"),
    ]


def test_a_password_set_again_ends_the_passwordless_rules(
    svc: Services, cognito: CognitoFixture
) -> None:
    _, user = password_session(svc, cognito, ALICE)
    synced = add_passkey(svc, user, synced=True)
    svc.passwordless.remove_password(user=user, client=CLIENT)
    mark_password_known(svc.engine, user_sub=user.sub)
    assert svc.passwordless.methods(user=user).has_password is True
    svc.passkey_account.delete(user=user, passkey_id=synced.id, client=CLIENT)
    assert svc.passkey_account.overview(user=user).passkeys == ()
