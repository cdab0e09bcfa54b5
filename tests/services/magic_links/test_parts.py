"""The pieces under the links: rate-limit windows, the mail's two parts, SESv2 SendEmail,
and the account-page offer after a link sign-in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
from botocore.stub import Stubber

from passkey_app import migrations
from passkey_app.db import make_engine
from passkey_app.services.magic_links.flows import offer_passkey_after_link
from passkey_app.services.mail.mailer import MailNotSentError, SesMailer
from passkey_app.services.mail.templates import link_mail
from passkey_app.services.rate_limit import RateLimit, take
from passkey_app.services.sessions.store import SignedInUser
from passkey_app.services.webauthn.credential_store import PasskeySummary

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
URL = "https://id.example.com/api/magic-link/open?token=abc_DEF-123"


def test_a_window_allows_its_limit_then_restarts(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'limits.db'}"
    migrations.upgrade(url)
    engine = make_engine(url)
    rule = RateLimit("test", limit=2, window=timedelta(seconds=60))
    hits = [take(engine, rule, subject="a", now=NOW + timedelta(seconds=s)) for s in (0, 1, 2)]
    assert hits == [True, True, False]
    assert take(engine, rule, subject="b", now=NOW) is True
    assert take(engine, rule, subject="a", now=NOW + timedelta(seconds=59)) is False
    assert take(engine, rule, subject="a", now=NOW + timedelta(seconds=60)) is True
    engine.dispose()


def test_the_mail_has_a_text_and_a_phone_friendly_html_part() -> None:
    mail = link_mail(
        to="a@example.com",
        url=URL,
        purpose="login",
        lifetime=timedelta(minutes=15),
        product="P & Q",
    )
    assert mail.subject == "Your sign-in link"
    assert URL in mail.text and "works once, for 15 minutes" in mail.text
    assert f'href="{URL}"' in mail.html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in mail.html
    assert "max-width:480px" in mail.html and "P &amp; Q" in mail.html


def test_the_mailer_sends_text_and_html_from_the_sender() -> None:
    client = boto3.client("sesv2", region_name="us-east-1")
    mail = link_mail(
        to="a@example.com",
        url=URL,
        purpose="signup",
        lifetime=timedelta(minutes=15),
        product="P",
    )
    with Stubber(client) as stub:
        stub.add_response(
            "send_email",
            {"MessageId": "m-1"},
            {
                "FromEmailAddress": "no-reply@example.com",
                "Destination": {"ToAddresses": ["a@example.com"]},
                "Content": {
                    "Simple": {
                        "Subject": {"Data": "Finish creating your account", "Charset": "UTF-8"},
                        "Body": {
                            "Text": {"Data": mail.text, "Charset": "UTF-8"},
                            "Html": {"Data": mail.html, "Charset": "UTF-8"},
                        },
                    }
                },
            },
        )
        stub.add_client_error("send_email", service_error_code="MessageRejected")
        mailer = SesMailer(client=client, sender="no-reply@example.com")
        assert mailer.send(mail) == "m-1"
        try:
            mailer.send(mail)
        except MailNotSentError as error:
            assert str(error) == "MessageRejected"
        else:
            raise AssertionError("a rejected message must raise MailNotSentError")


def _user(method: str) -> SignedInUser:
    return SignedInUser(
        sub="s",
        username="u",
        email="u@example.com",
        groups=(),
        auth_method=method,
        authenticated_at=NOW,
        session_created_at=NOW,
        session_expires_at=NOW + timedelta(days=1),
        idle_expires_at=NOW + timedelta(days=1),
    )


def _passkey(created_at: datetime) -> PasskeySummary:
    return PasskeySummary(
        id=1,
        name="Passkey",
        model="Passkey",
        synced=True,
        created_at=created_at.replace(tzinfo=None),
        last_used_at=None,
        sign_count=0,
    )


def test_a_link_sign_in_asks_for_a_passkey_until_one_is_added() -> None:
    older = _passkey(NOW - timedelta(days=3))
    assert offer_passkey_after_link(_user("magic_link"), [older]) is True
    assert offer_passkey_after_link(_user("magic_link"), [older, _passkey(NOW)]) is False
    assert offer_passkey_after_link(_user("passkey"), []) is False
