"""Security notices: each template (plain text and HTML, escaped), and each event
mailed through moto's SES, with what it says and what it must never carry."""

from __future__ import annotations

from datetime import UTC, datetime
from html import unescape

import pytest
from sqlmodel import Session, select

from passkey_app.models import BrowserSession
from passkey_app.services.audit import ClientInfo
from passkey_app.services.container import Services
from passkey_app.services.magic_links.store import LinkPurpose
from passkey_app.services.mail import templates
from passkey_app.services.mail.security import notify_password_changed
from passkey_app.services.mail.templates import Circumstances, Mail
from passkey_app.services.password.login import LoginSucceeded
from tests.conftest import CognitoFixture
from tests.services.flows import (
    LAPTOP,
    PHONE,
    confirm_from_signup_browser,
    password_session,
    sign_up,
)
from tests.services.magic_links.support import (
    MovableClock,
    SentMail,
    build_links,
    sent_mail,
    verify_sender,
)
from tests.support.authenticator import SoftAuthenticator

ALICE, BOB, ADMIN = "alice@example.com", "bob@example.com", "admin@example.com"
PHONE_UPDATED = ClientInfo(
    ip_address="198.51.100.99",
    user_agent=PHONE.user_agent.replace("17_1", "18_0").replace("17.1", "18.0"),
)
ACCOUNT_URL = "http://localhost:3000/account"
WHERE = Circumstances(
    at=datetime(2026, 11, 28, 14, 5, 9, tzinfo=UTC),
    device="Chrome on Linux",
    ip_address="203.0.113.7",
    account_url=ACCOUNT_URL,
    product="Passkeys for Cognito",
)
HOSTILE = '<img src=x onerror="alert(1)">'

EVERY_TEMPLATE = [
    templates.passkey_added_mail(to=ALICE, passkey_name=HOSTILE, where=WHERE),
    templates.passkey_removed_mail(to=ALICE, passkey_name=HOSTILE, sessions_ended=2, where=WHERE),
    templates.password_changed_mail(to=ALICE, removed=False, where=WHERE),
    templates.password_changed_mail(to=ALICE, removed=True, where=WHERE),
    templates.email_confirmed_mail(to=ALICE, where=WHERE),
    templates.email_sign_in_mail(to=ALICE, method="link", new_browser=True, where=WHERE),
    templates.email_sign_in_mail(to=ALICE, method="code", new_browser=False, where=WHERE),
    templates.new_browser_mail(to=ALICE, where=WHERE),
]


@pytest.mark.parametrize("mail", EVERY_TEMPLATE, ids=lambda mail: mail.subject)
def test_each_notice_says_when_from_where_and_what_to_do_in_text_and_html(mail: Mail) -> None:
    for part in (mail.text, unescape(mail.html)):
        assert "Saturday 28 November 2026, 14:05 UTC (2026-11-28T14:05:09Z)" in part
        assert "Chrome on Linux" in part
        assert "203.0.113.7" in part
        assert "If this wasn't you" in part
        assert ACCOUNT_URL in part
    assert f'href="{ACCOUNT_URL}"' in mail.html
    assert "<img" not in mail.html
    assert mail.to == ALICE


def test_a_passkey_name_is_escaped_in_html_and_kept_as_is_in_text() -> None:
    mail = templates.passkey_added_mail(to=ALICE, passkey_name=HOSTILE, where=WHERE)
    assert f"A passkey named \u201c{HOSTILE}\u201d can now sign in" in mail.text
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in mail.html


def test_the_password_notices_read_as_a_change_or_a_removal() -> None:
    changed = templates.password_changed_mail(to=ALICE, removed=False, where=WHERE)
    removed = templates.password_changed_mail(to=ALICE, removed=True, where=WHERE)
    assert (changed.subject, removed.subject) == (
        "Your password was changed",
        "Your password was removed",
    )
    assert "The old one no longer works." in changed.text
    assert "it signs in with passkeys only" in removed.text


def test_an_admins_sign_out_names_no_browser_or_address_of_the_admin() -> None:
    by_admin = Circumstances(
        at=WHERE.at, device="", ip_address="", account_url=ACCOUNT_URL, product=WHERE.product
    )
    mail = templates.sessions_ended_by_admin_mail(to=BOB, sessions_ended=3, where=by_admin)
    assert "By: An administrator of Passkeys for Cognito" in mail.text
    assert "(3 sessions ended)" in mail.text
    assert "Browser:" not in mail.text and "IP address:" not in mail.text


# The events, end to end through moto's SES.


@pytest.fixture
def mailed(services: Services) -> Services:
    """The services with a verified sender: every notice lands in moto's SES."""
    verify_sender()
    return services


def _text(mail: SentMail) -> str:
    return unescape(mail.body)


def test_a_sign_in_from_a_new_browser_is_mailed_once_and_never_for_the_first(
    mailed: Services, cognito: CognitoFixture
) -> None:
    password_session(mailed, cognito, ALICE, LAPTOP)  # the first browser on record: no mail
    password_session(mailed, cognito, ALICE, LAPTOP)
    assert sent_mail() == []

    password_session(mailed, cognito, ALICE, PHONE)
    password_session(mailed, cognito, ALICE, PHONE_UPDATED)  # an update is the same browser
    password_session(mailed, cognito, ALICE, LAPTOP)

    [mail] = sent_mail()
    assert (mail.to, mail.subject) == ([ALICE], "Sign-in from a new browser")
    text = _text(mail)
    assert "Your account was signed in from a browser it had not used before." in text
    assert "Safari on iPhone" in text and "198.51.100.23" in text


def test_a_new_accounts_first_sign_in_mails_nothing_but_its_confirmation(
    mailed: Services,
) -> None:
    device = SoftAuthenticator()
    sign_up(mailed, device, "dana@example.com")
    assert [m.subject for m in sent_mail()] == ["Confirm your email"]

    ceremony = mailed.passkey_login.discoverable_options(client=PHONE)
    mailed.passkey_login.finish(
        handle=ceremony.handle, response=device.get(ceremony.options), client=PHONE
    )
    assert [m.subject for m in sent_mail()] == ["Confirm your email", "Sign-in from a new browser"]


def test_adding_and_removing_a_passkey_are_mailed_with_its_name(
    mailed: Services, cognito: CognitoFixture
) -> None:
    _, alice = password_session(mailed, cognito, ALICE, LAPTOP)
    ceremony = mailed.passkey_account.begin_add(user=alice, client=LAPTOP)
    _, response = SoftAuthenticator().create(ceremony.options)
    added = mailed.passkey_account.finish_add(
        user=alice, handle=ceremony.handle, response=response, client=LAPTOP
    )
    mailed.passkey_account.delete(user=alice, passkey_id=added.id, client=PHONE)

    assert [(m.to, m.subject) for m in sent_mail()] == [
        ([ALICE], "A passkey was added to your account"),
        ([ALICE], "A passkey was removed from your account"),
    ]
    added_mail, removed_mail = (_text(m) for m in sent_mail())
    assert "A passkey named \u201cChrome on Linux\u201d can now sign in" in added_mail
    assert "Chrome on Linux" in added_mail and "203.0.113.7" in added_mail
    assert "The passkey named \u201cChrome on Linux\u201d can no longer sign in" in removed_mail
    assert "Safari on iPhone" in removed_mail and "198.51.100.23" in removed_mail


def test_confirming_the_email_is_mailed(mailed: Services) -> None:
    login = sign_up(mailed, SoftAuthenticator(), "erin@example.com")
    confirm_from_signup_browser(mailed, login)
    assert [m.subject for m in sent_mail()] == [
        "Confirm your email",
        "Your email address is confirmed",
    ]
    assert "This address (erin@example.com) is now confirmed" in _text(sent_mail()[1])


def test_the_password_hook_mails_the_change(mailed: Services) -> None:
    notify_password_changed(mailed.notices, to=ALICE, client=LAPTOP)
    [mail] = sent_mail()
    assert (mail.to, mail.subject) == ([ALICE], "Your password was changed")
    assert "Chrome on Linux" in _text(mail)


def test_an_admins_sign_out_everywhere_is_mailed_to_the_user(
    mailed: Services, cognito: CognitoFixture
) -> None:
    _, admin = password_session(mailed, cognito, ADMIN, LAPTOP)
    _, bob = password_session(mailed, cognito, BOB, PHONE)
    assert mailed.admin.sign_out_everywhere(admin, sub=bob.sub, client=LAPTOP) == 1
    [mail] = sent_mail()
    assert (mail.to, mail.subject) == ([BOB], "You were signed out everywhere")
    text = _text(mail)
    assert "(1 session ended)" in text
    assert "203.0.113.7" not in text and "Chrome on Linux" not in text


def test_a_sign_in_by_email_link_is_mailed_and_no_notice_carries_a_secret(
    mailed: Services, cognito: CognitoFixture
) -> None:
    laptop_id, _ = password_session(mailed, cognito, ALICE, LAPTOP)
    links = build_links(mailed, MovableClock())
    binding = "phone-binding-value-0123456789abcdef"
    links.request(email=ALICE, purpose=LinkPurpose.LOGIN, binding=binding, client=PHONE)
    [link_mail] = sent_mail()
    login = links.redeem(token=link_mail.token, binding=binding, confirmed=False, client=PHONE)
    assert isinstance(login, LoginSucceeded)
    phone_id = mailed.sessions.activate(login.handoff_code, client=PHONE)
    assert phone_id is not None

    notices = sent_mail()[1:]
    assert [(m.to, m.subject) for m in notices] == [([ALICE], "New sign-in to your account")]
    text = _text(notices[0])
    assert "Signed in with an email link" in text
    assert "Your account was signed in with a link sent to this address." in text
    assert "This browser had not signed in to your account before." in text
    assert "Safari on iPhone" in text and "198.51.100.23" in text

    with Session(mailed.engine) as db:
        rows = db.exec(select(BrowserSession)).all()
    tokens = [mailed.sessions._cipher.open(row.encrypted_tokens) for row in rows]
    secrets = [link_mail.token, login.handoff_code, laptop_id, phone_id]
    for opened in tokens:
        assert opened is not None
        secrets += [opened.id_token, opened.access_token, str(opened.refresh_token)]
    for mail in notices:
        assert "token=" not in mail.body and "magic-link" not in mail.body
        for secret in secrets:
            assert secret not in mail.body


def test_a_sign_in_by_email_code_is_mailed_as_such_without_the_code(
    mailed: Services, cognito: CognitoFixture
) -> None:
    password_session(mailed, cognito, ALICE, LAPTOP)
    links = build_links(mailed, MovableClock())
    binding = "laptop-binding-value-0123456789abcdef"
    links.request(email=ALICE, purpose=LinkPurpose.LOGIN, binding=binding, client=LAPTOP)
    [link_mail] = sent_mail()
    login = links.redeem_code(code=link_mail.code, binding=binding, client=LAPTOP)
    assert isinstance(login, LoginSucceeded)
    assert mailed.sessions.activate(login.handoff_code, client=LAPTOP) is not None

    notices = sent_mail()[1:]
    assert [(m.to, m.subject) for m in notices] == [([ALICE], "New sign-in to your account")]
    text = _text(notices[0])
    assert "Signed in with an email code" in text
    assert "Your account was signed in with a code sent to this address." in text
    assert "This browser had not signed in" not in text
    assert link_mail.code not in notices[0].body
    assert link_mail.code.replace("-", "") not in notices[0].body
