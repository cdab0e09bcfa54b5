"""Admin invitations against the moto pool and its SES: one invitation makes one Cognito
user and one mail, whose link signs the person in once; an address that has an account
gets neither; only admins invite; a mail that cannot go out undoes the account."""

from __future__ import annotations

import boto3
import pytest

from passkey_app.services.accounts.errors import AccountError, AccountFailure
from passkey_app.services.admin.errors import AdminError, AdminFailure
from passkey_app.services.container import Services
from passkey_app.services.errors import AuthError, AuthFailure
from passkey_app.services.magic_links.flows import LinkStatus
from passkey_app.services.sessions.store import LoginSucceeded
from passkey_app.services.sign_in import SignInMethod
from tests.conftest import CognitoFixture
from tests.services.accounts.lifecycle_support import audit_rows, rows_about
from tests.services.flows import CLIENT, password_session, session_of
from tests.services.magic_links.support import SENDER, sent_mail

ADMIN, ALICE = "admin@example.com", "alice@example.com"
INVITEE = "new.colleague@example.com"
SUBJECT = "You're invited: set up your sign-in"


def _user_count(cognito: CognitoFixture) -> int:
    users = cognito.client.list_users(UserPoolId=cognito.pool.user_pool_id)["Users"]
    return len(users)


def test_an_invitation_makes_one_user_and_one_mail_whose_link_signs_in_once(
    svc: Services, cognito: CognitoFixture
) -> None:
    _, admin = password_session(svc, cognito, ADMIN)
    users_before = _user_count(cognito)

    invited = svc.invitations.invite(admin, email="  New.Colleague@Example.com", client=CLIENT)

    assert invited.email == INVITEE
    assert _user_count(cognito) == users_before + 1
    found = svc.gateway.find_user(email=INVITEE)
    assert found is not None and found.sub == invited.user_sub
    assert (found.status, found.enabled, found.attributes["email_verified"]) == (
        "CONFIRMED",
        True,
        "true",
    )
    (mail,) = [m for m in sent_mail() if m.subject == SUBJECT]
    assert mail.to == [INVITEE]
    assert "Accept invitation" in mail.body and "3 days" in mail.body
    (record,) = audit_rows(svc, "admin.user_invite")
    assert (record.outcome, record.email, record.user_sub, record.actor_sub) == (
        "success",
        INVITEE,
        invited.user_sub,
        admin.sub,
    )

    # No browser asked for the link: whoever opens it is asked to confirm first.
    check = svc.magic_links.check(token=mail.token, binding="", client=CLIENT)
    assert (check.status, check.email) == (LinkStatus.CONFIRM, INVITEE)
    login = svc.magic_links.redeem(token=mail.token, binding="", confirmed=True, client=CLIENT)
    assert isinstance(login, LoginSucceeded) and login.user_sub == invited.user_sub
    _, person = session_of(svc, login)
    assert (person.email, person.auth_method) == (INVITEE, SignInMethod.MAGIC_LINK.value)
    assert svc.passwordless.methods(user=person).has_password is False
    with pytest.raises(AuthError) as reused:
        svc.magic_links.redeem(token=mail.token, binding="", confirmed=True, client=CLIENT)
    assert reused.value.failure is AuthFailure.LINK_INVALID


@pytest.mark.parametrize("address", [ALICE, "ALICE@example.com"])
def test_inviting_an_address_that_has_an_account_makes_and_sends_nothing(
    svc: Services, cognito: CognitoFixture, address: str
) -> None:
    _, admin = password_session(svc, cognito, ADMIN)
    users_before = _user_count(cognito)
    with pytest.raises(AccountError) as refused:
        svc.invitations.invite(admin, email=address, client=CLIENT)
    assert refused.value.failure is AccountFailure.ACCOUNT_EXISTS
    assert refused.value.user_message == "That address already has an account. Nothing was sent."
    assert _user_count(cognito) == users_before
    assert [m for m in sent_mail() if m.subject == SUBJECT] == []
    assert [(r.outcome, r.detail) for r in audit_rows(svc, "admin.user_invite")] == [
        ("refused", "account exists")
    ]


def test_a_second_invitation_to_the_same_address_is_refused(
    svc: Services, cognito: CognitoFixture
) -> None:
    _, admin = password_session(svc, cognito, ADMIN)
    svc.invitations.invite(admin, email=INVITEE, client=CLIENT)
    with pytest.raises(AccountError) as refused:
        svc.invitations.invite(admin, email=INVITEE, client=CLIENT)
    assert refused.value.failure is AccountFailure.ACCOUNT_EXISTS
    assert len([m for m in sent_mail() if m.subject == SUBJECT]) == 1


def test_only_admins_invite(svc: Services, cognito: CognitoFixture) -> None:
    _, member = password_session(svc, cognito, ALICE)
    users_before = _user_count(cognito)
    with pytest.raises(AdminError) as refused:
        svc.invitations.invite(member, email=INVITEE, client=CLIENT)
    assert refused.value.failure is AdminFailure.FORBIDDEN
    with pytest.raises(AdminError):
        svc.invitations.invite(None, email=INVITEE, client=CLIENT)
    assert _user_count(cognito) == users_before
    assert audit_rows(svc, "admin.user_invite") == []


@pytest.mark.parametrize("address", ["", "not-an-address", "a@b", "x" * 300 + "@example.com"])
def test_a_malformed_address_is_refused(
    svc: Services, cognito: CognitoFixture, address: str
) -> None:
    _, admin = password_session(svc, cognito, ADMIN)
    with pytest.raises(AccountError) as refused:
        svc.invitations.invite(admin, email=address, client=CLIENT)
    assert refused.value.failure is AccountFailure.INVALID_EMAIL


def test_an_invitation_whose_mail_cannot_go_out_leaves_no_account(
    svc: Services, cognito: CognitoFixture
) -> None:
    _, admin = password_session(svc, cognito, ADMIN)
    # SES only sends from a verified identity: take the sender's verification away.
    boto3.client("ses", region_name="us-east-1").delete_identity(Identity=SENDER)
    users_before = _user_count(cognito)
    with pytest.raises(AccountError) as refused:
        svc.invitations.invite(admin, email=INVITEE, client=CLIENT)
    assert refused.value.failure is AccountFailure.INVITATION_NOT_SENT
    assert _user_count(cognito) == users_before
    assert svc.gateway.find_user(email=INVITEE) is None
    counts = rows_about(svc, user_sub="-", email=INVITEE)
    assert counts["magic_link"] == 0
    assert [r.outcome for r in audit_rows(svc, "admin.user_invite")] == ["failure"]


def test_an_admin_sends_at_most_thirty_invitations_an_hour(
    svc: Services, cognito: CognitoFixture
) -> None:
    _, admin = password_session(svc, cognito, ADMIN)
    for number in range(30):
        svc.invitations.invite(admin, email=f"person{number}@example.com", client=CLIENT)
    with pytest.raises(AuthError) as refused:
        svc.invitations.invite(admin, email="one.more@example.com", client=CLIENT)
    assert refused.value.failure is AuthFailure.THROTTLED
    assert refused.value.user_message.startswith("Too many attempts. Try again in")
    assert svc.gateway.find_user(email="one.more@example.com") is None
