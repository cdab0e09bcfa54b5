"""Delete my account, against the moto pool: the Cognito user is gone, every row about the
person is gone, and the audit log keeps only a pseudonymous trace; a wrong confirmation,
an old sign-in or an unreachable Cognito change nothing."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from lambdas.proof import KeyRing
from passkey_app.services.accounts.deletion import AccountDeletion, pseudonym
from passkey_app.services.accounts.errors import AccountError, AccountFailure
from passkey_app.services.cognito.gateway import CognitoGateway
from passkey_app.services.container import Services
from passkey_app.services.errors import AuthError, AuthFailure
from passkey_app.services.magic_links.store import LinkPurpose
from passkey_app.services.passkeys.account import FRESH_LOGIN
from tests.conftest import CognitoFixture
from tests.services.accounts.lifecycle_support import (
    add_passkey,
    audit_rows,
    rows_about,
)
from tests.services.flows import CLIENT, password_session, session_of, sign_up
from tests.support.authenticator import SoftAuthenticator

ALICE = "alice@example.com"
NEWCOMER = "newcomer@example.com"
NOTHING_LEFT = {
    "webauthn_user": 0,
    "passkey_credential": 0,
    "browser_session": 0,
    "known_browser": 0,
    "magic_link": 0,
    "webauthn_challenge": 0,
    "audit_event": 0,
}


def _deletion(
    svc: Services, *, at: datetime | None = None, gateway: CognitoGateway | None = None
) -> AccountDeletion:
    return AccountDeletion(
        engine=svc.engine,
        gateway=gateway or svc.gateway,
        sessions=svc.sessions,
        key_ring=svc.key_ring,
        fresh_login=FRESH_LOGIN,
        clock=(lambda: at) if at else (lambda: datetime.now(UTC)),
    )


def test_deleting_a_passkey_account_removes_the_user_every_row_and_keeps_a_pseudonym(
    svc: Services,
) -> None:
    session_id, user = session_of(svc, sign_up(svc, SoftAuthenticator(), NEWCOMER))
    add_passkey(svc, user, synced=True)
    svc.passkey_account.begin_add(user=user, client=CLIENT)  # a challenge left pending
    svc.magic_links.request(email=NEWCOMER, purpose=LinkPurpose.LOGIN, binding="", client=CLIENT)
    handle = svc.passkey_account.accepted_credentials(user=user)
    assert handle is not None and len(handle.credential_ids) == 2
    before = rows_about(svc, user_sub=user.sub, email=NEWCOMER)
    assert all(before[name] > 0 for name in ("passkey_credential", "magic_link", "audit_event"))

    deleted = svc.account_deletion.delete(
        user=user, confirmation="  NewComer@Example.com ", client=CLIENT
    )

    assert svc.gateway.find_user(email=NEWCOMER) is None
    assert rows_about(svc, user_sub=user.sub, email=NEWCOMER) == NOTHING_LEFT
    assert svc.sessions.current(session_id) is None
    assert (deleted.user_handle, deleted.passkeys_removed, deleted.sessions_ended) == (
        handle.user_handle,
        2,
        1,
    )
    name = pseudonym(svc.key_ring, user.sub)
    assert deleted.pseudonym == name and name.startswith("deleted-") and len(name) == 40
    (record,) = audit_rows(svc, "account.delete")
    assert (record.outcome, record.user_sub, record.email) == ("success", name, None)
    assert record.detail == "pseudonym key=test-1 passkeys=2 sessions=1"
    # The account's earlier history stays, under the pseudonym and without the address.
    ended = audit_rows(svc, "session.end")
    assert [(row.user_sub, row.email, row.detail) for row in ended] == [
        (name, None, "account deleted")
    ]
    assert {row.user_sub for row in audit_rows(svc, "passkey.register")} == {name}


def test_a_password_user_is_deleted_and_their_password_signs_in_nobody(
    svc: Services, cognito: CognitoFixture
) -> None:
    _, user = password_session(svc, cognito, ALICE)
    deleted = svc.account_deletion.delete(user=user, confirmation=ALICE, client=CLIENT)
    assert deleted.user_handle is None
    with pytest.raises(AuthError) as refused:
        svc.gateway.password_auth(email=ALICE, password=cognito.user(ALICE).password)
    assert refused.value.failure is AuthFailure.INVALID_CREDENTIALS
    assert rows_about(svc, user_sub=user.sub, email=ALICE) == NOTHING_LEFT


@pytest.mark.parametrize("typed", ["delete", "bob@example.com", "", "alice@example"])
def test_anything_but_the_persons_own_address_changes_nothing(
    svc: Services, cognito: CognitoFixture, typed: str
) -> None:
    session_id, user = password_session(svc, cognito, ALICE)
    with pytest.raises(AccountError) as refused:
        svc.account_deletion.delete(user=user, confirmation=typed, client=CLIENT)
    assert refused.value.failure is AccountFailure.CONFIRMATION_MISMATCH
    assert refused.value.user_message == "Type your email address exactly as shown to confirm."
    assert svc.gateway.find_user(email=ALICE) is not None
    assert svc.sessions.current(session_id) is not None
    assert [(r.outcome, r.detail) for r in audit_rows(svc, "account.delete")] == [
        ("refused", "confirmation mismatch")
    ]


def test_a_sign_in_older_than_five_minutes_changes_nothing(
    svc: Services, cognito: CognitoFixture
) -> None:
    session_id, user = password_session(svc, cognito, ALICE)
    later = datetime.now(UTC) + FRESH_LOGIN + timedelta(seconds=5)
    with pytest.raises(AuthError) as refused:
        _deletion(svc, at=later).delete(user=user, confirmation=ALICE, client=CLIENT)
    assert refused.value.failure is AuthFailure.REAUTHENTICATION_REQUIRED
    assert svc.gateway.find_user(email=ALICE) is not None
    assert svc.sessions.current(session_id) is not None


def test_an_unreachable_directory_changes_nothing(svc: Services, cognito: CognitoFixture) -> None:
    session_id, user = password_session(svc, cognito, ALICE)
    elsewhere = CognitoGateway(
        client=cognito.client,
        pool=dataclasses.replace(svc.pool, user_pool_id="us-east-1_Missing1"),
    )
    with pytest.raises(AccountError) as refused:
        _deletion(svc, gateway=elsewhere).delete(user=user, confirmation=ALICE, client=CLIENT)
    assert refused.value.failure is AccountFailure.NOT_DELETED
    assert svc.gateway.find_user(email=ALICE) is not None
    assert svc.sessions.current(session_id) is not None
    assert [r.outcome for r in audit_rows(svc, "account.delete")] == ["failure"]


def test_the_pseudonym_is_keyed_and_stable() -> None:
    ring = KeyRing(active_key_id="a", keys={"a": b"k" * 32})
    other = KeyRing(active_key_id="b", keys={"b": b"j" * 32})
    sub = "0b8c1c9e-1111-2222-3333-444455556666"
    assert pseudonym(ring, sub) == pseudonym(ring, sub)
    assert pseudonym(ring, sub) != pseudonym(other, sub)
    assert sub not in pseudonym(ring, sub)
