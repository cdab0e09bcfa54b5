"""Provisional accounts: a stranger's passkey sign-up with someone else's address never
becomes a way into the real owner's account (pre-hijacking), performed end to end
against the moto pool with software authenticators."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from passkey_app.db import session_scope
from passkey_app.models import BrowserSession, PasskeyCredential, WebAuthnUser
from passkey_app.services.accounts.provisional import ProvisionalAccounts
from passkey_app.services.background import run_now
from passkey_app.services.container import Services, build_services
from passkey_app.services.errors import AuthError
from passkey_app.services.magic_links.flows import EmailConfirmed, LinkCheck, LinkStatus
from passkey_app.services.magic_links.store import LinkPurpose
from passkey_app.services.sessions.store import LoginSucceeded
from passkey_app.services.webauthn.errors import PasskeyRejectedError, RejectReason
from passkey_app.settings import Settings
from tests.conftest import CognitoFixture
from tests.services.flows import CLIENT, audit_trail, session_of, sign_up
from tests.services.magic_links.support import (
    MovableClock,
    SentMail,
    sent_mail,
    verify_sender,
)
from tests.support.authenticator import SoftAuthenticator

VICTIM = "victim@example.com"
OWNER_BROWSER = "the-owners-own-browser-binding-value-01"
OWNER = CLIENT.__class__(ip_address="192.0.2.44", user_agent="the owner's browser")


def _cognito_email_verified(cognito: CognitoFixture, email: str) -> str:
    user = cognito.client.admin_get_user(UserPoolId=cognito.pool.user_pool_id, Username=email)
    return {a["Name"]: a["Value"] for a in user["UserAttributes"]}["email_verified"]


def _mails(subject: str) -> list[SentMail]:
    return [mail for mail in sent_mail() if mail.subject == subject]


def _owner_row(svc: Services, sub: str) -> WebAuthnUser | None:
    with session_scope(svc.engine) as db:
        return db.get(WebAuthnUser, sub)


def _passkey_count(svc: Services) -> int:
    with session_scope(svc.engine) as db:
        return len(db.exec(select(PasskeyCredential)).all())


def test_a_passkey_sign_up_is_provisional_and_mails_a_confirmation(
    svc: Services, cognito: CognitoFixture
) -> None:
    _, user = session_of(svc, sign_up(svc, SoftAuthenticator(), VICTIM))
    row = _owner_row(svc, user.sub)
    assert row is not None and row.email_unconfirmed_since is not None
    assert svc.provisional.is_provisional(user.sub)
    assert _cognito_email_verified(cognito, VICTIM) == "false"
    [mail] = _mails("Confirm your email")
    assert mail.to == [VICTIM]
    assert "works once, for 7 days" in mail.body
    assert "the account becomes yours" in mail.body


def test_confirming_from_the_browser_that_signed_up_changes_nothing_else(
    svc: Services, cognito: CognitoFixture
) -> None:
    session_id, user = session_of(svc, sign_up(svc, SoftAuthenticator(), VICTIM))
    [mail] = _mails("Confirm your email")
    check = svc.magic_links.check(
        token=mail.token, binding="", client=CLIENT, signed_in_sub=user.sub
    )
    assert check == LinkCheck(status=LinkStatus.READY, email=VICTIM)
    outcome = svc.magic_links.redeem(
        token=mail.token, binding="", confirmed=False, client=CLIENT, signed_in_sub=user.sub
    )
    assert outcome == EmailConfirmed(user_sub=user.sub)
    assert _cognito_email_verified(cognito, VICTIM) == "true"
    assert not svc.provisional.is_provisional(user.sub)
    assert _passkey_count(svc) == 1
    still = svc.sessions.current(session_id)
    assert still is not None and still.notice == ""
    assert audit_trail(svc, "account.email_confirmed") == [("success", "")]
    assert audit_trail(svc, "account.claimed") == []


def _stranger_signs_up(svc: Services) -> tuple[SoftAuthenticator, str, str]:
    """The attack's first half: a stranger signs up with the victim's address and keeps
    a session. Returns their authenticator, session id and the account's sub."""
    stranger = SoftAuthenticator()
    session_id, user = session_of(svc, sign_up(svc, stranger, VICTIM))
    return stranger, session_id, user.sub


def _stranger_refresh_token(svc: Services, sub: str) -> str:
    with session_scope(svc.engine) as db:
        row = db.exec(select(BrowserSession).where(BrowserSession.user_sub == sub)).one()
    tokens = svc.sessions._cipher.open(row.encrypted_tokens)
    assert tokens is not None and tokens.refresh_token
    return tokens.refresh_token


def _assert_the_stranger_is_locked_out(
    svc: Services, stranger: SoftAuthenticator, session_id: str, refresh_token: str
) -> None:
    assert svc.sessions.current(session_id) is None
    with pytest.raises(AuthError):
        svc.gateway.refresh(username=VICTIM, refresh_token=refresh_token)
    ceremony = svc.passkey_login.discoverable_options(client=CLIENT)
    with pytest.raises(PasskeyRejectedError) as refused:
        svc.passkey_login.finish(
            handle=ceremony.handle, response=stranger.get(ceremony.options), client=CLIENT
        )
    assert refused.value.reason is RejectReason.UNKNOWN_CREDENTIAL


def test_the_owner_takes_back_with_a_sign_in_link_an_account_a_stranger_signed_up(
    svc: Services, cognito: CognitoFixture
) -> None:
    stranger, stranger_session, sub = _stranger_signs_up(svc)
    refresh_token = _stranger_refresh_token(svc, sub)
    # The real owner, in their own browser, asks for a sign-in link and opens it.
    svc.magic_links.request(
        email=VICTIM, purpose=LinkPurpose.LOGIN, binding=OWNER_BROWSER, client=OWNER
    )
    [mail] = _mails("Your sign-in link")
    login = svc.magic_links.redeem(
        token=mail.token, binding=OWNER_BROWSER, confirmed=False, client=OWNER
    )
    assert isinstance(login, LoginSucceeded)
    _, owner = session_of(svc, login)
    assert owner.sub == sub and owner.auth_method == "magic_link"
    assert owner.notice == (
        "Someone set up this account with your email before you confirmed it. We removed "
        "the 1 passkey and ended the 1 session made before now. Add a passkey of your own."
    )
    _assert_the_stranger_is_locked_out(svc, stranger, stranger_session, refresh_token)
    assert _passkey_count(svc) == 0
    assert not svc.provisional.is_provisional(sub)
    assert _cognito_email_verified(cognito, VICTIM) == "true"
    assert audit_trail(svc, "account.claimed") == [
        ("success", "passkeys_removed=1 sessions_ended=1")
    ]
    assert ("success", "account claimed") in audit_trail(svc, "session.end")


def test_a_confirm_link_opened_in_another_browser_makes_that_person_the_owner(
    svc: Services,
) -> None:
    stranger, stranger_session, sub = _stranger_signs_up(svc)
    refresh_token = _stranger_refresh_token(svc, sub)
    [mail] = _mails("Confirm your email")
    assert svc.magic_links.check(token=mail.token, binding="", client=OWNER) == LinkCheck(
        status=LinkStatus.CONFIRM, email=VICTIM
    )
    login = svc.magic_links.redeem(token=mail.token, binding="", confirmed=True, client=OWNER)
    assert isinstance(login, LoginSucceeded)
    _, owner = session_of(svc, login)
    assert owner.sub == sub and "We removed the 1 passkey" in owner.notice
    _assert_the_stranger_is_locked_out(svc, stranger, stranger_session, refresh_token)


def test_the_stranger_cannot_confirm_without_the_mail(svc: Services) -> None:
    _, stranger_session, sub = _stranger_signs_up(svc)
    # Asking for a sign-in link from the stranger's own browser mails the owner, not them.
    svc.magic_links.request(
        email=VICTIM, purpose=LinkPurpose.LOGIN, binding="strangers-binding-0000000", client=CLIENT
    )
    assert [mail.to for mail in sent_mail()] == [[VICTIM], [VICTIM]]
    assert svc.provisional.is_provisional(sub)
    assert svc.sessions.current(stranger_session) is not None


def _sweeper(svc: Services, clock: MovableClock) -> ProvisionalAccounts:
    return ProvisionalAccounts(
        engine=svc.engine,
        gateway=svc.gateway,
        sessions=svc.sessions,
        lifetime=timedelta(days=svc.settings.provisional_account_days),
        clock=clock,
    )


def test_an_account_unconfirmed_for_seven_days_is_deleted_by_the_sweeper(
    svc: Services, cognito: CognitoFixture
) -> None:
    clock = MovableClock()
    _, session_id, sub = _stranger_signs_up(svc)
    confirmed_login = sign_up(svc, SoftAuthenticator(), "kept@example.com")
    kept_session, kept = session_of(svc, confirmed_login)
    svc.provisional.prove_mailbox(
        user=svc.gateway.find_user(email="kept@example.com"),  # type: ignore[arg-type]
        signed_in_sub=kept.sub,
        client=CLIENT,
    )
    sweeper = _sweeper(svc, clock)
    clock.advance(days=6, hours=23)
    assert sweeper.sweep() == 0
    clock.advance(hours=1, seconds=1)
    assert sweeper.sweep() == 1
    assert svc.gateway.find_user(email=VICTIM) is None
    assert _owner_row(svc, sub) is None
    assert svc.sessions.current(session_id) is None
    assert _passkey_count(svc) == 1  # kept@example.com's
    assert svc.gateway.find_user(email="kept@example.com") is not None
    assert svc.sessions.current(kept_session) is not None
    [(outcome, detail)] = audit_trail(svc, "account.expired")
    assert outcome == "success" and detail.startswith("unconfirmed since ")


def test_an_address_an_admin_confirmed_is_not_swept(svc: Services, cognito: CognitoFixture) -> None:
    clock = MovableClock()
    _, _, sub = _stranger_signs_up(svc)
    cognito.client.admin_update_user_attributes(
        UserPoolId=cognito.pool.user_pool_id,
        Username=VICTIM,
        UserAttributes=[{"Name": "email_verified", "Value": "true"}],
    )
    clock.advance(days=8)
    assert _sweeper(svc, clock).sweep() == 0
    assert svc.gateway.find_user(email=VICTIM) is not None
    assert not svc.provisional.is_provisional(sub)


def test_a_pool_that_checks_addresses_upstream_makes_no_provisional_accounts(
    settings: Settings, services: Services
) -> None:
    verify_sender()
    trusting = build_services(
        settings.model_copy(update={"signup_marks_email_verified": True}),
        gateway=services.gateway,
        runner=run_now,
    )
    try:
        _, user = session_of(trusting, sign_up(trusting, SoftAuthenticator(), VICTIM))
        assert not trusting.provisional.is_provisional(user.sub)
        assert sent_mail() == []
    finally:
        trusting.engine.dispose()
