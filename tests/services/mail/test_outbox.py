"""The local outbox reads what the embedded stand-in's SES accepted; production has none."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from moto.server import ThreadedMotoServer

from passkey_app.local_cognito import mail_times
from passkey_app.services.container import Services
from passkey_app.services.magic_links.store import LinkPurpose
from passkey_app.services.mail.mailer import SesMailer
from passkey_app.services.mail.outbox import (
    LinkState,
    LinkStatus,
    LocalOutbox,
    OutboxMessage,
    OutboxUnavailableError,
    link_states,
    link_token,
    local_outbox,
)
from passkey_app.services.mail.templates import Mail, link_mail
from passkey_app.settings import PoolSettings, Settings
from passkey_app.state.outbox import exact, to_item
from tests.services.flows import CLIENT
from tests.services.magic_links.support import (
    SENDER,
    MovableClock,
    SentMail,
    build_links,
    sent_mail,
    verify_sender,
)


@pytest.fixture
def stand_in(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """moto's server on a free loopback port, with the sender verified."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    boto3.client("ses", region_name="us-east-1", endpoint_url=endpoint).verify_email_identity(
        EmailAddress=SENDER
    )
    yield endpoint
    server.stop()


def test_the_outbox_lists_sent_mail_newest_first(stand_in: str) -> None:
    mailer = SesMailer.connect(region="us-east-1", endpoint_url=stand_in, sender=SENDER)
    first, second = (f"{uuid.uuid4().hex}@example.com" for _ in range(2))
    for to in (first, second):
        mailer.send(
            link_mail(
                to=to,
                url="https://x.example/l?token=t",
                purpose="login",
                lifetime=timedelta(minutes=15),
                product="P",
            )
        )
    mine = [m for m in LocalOutbox(stand_in).messages() if m.to in (first, second)]
    assert [m.to for m in mine] == [second, first]
    assert mine[0].sender == SENDER and mine[0].subject == "Your sign-in link"
    assert 'href="https://x.example/l?token=t"' in mine[0].html


def test_an_unreachable_stand_in_is_reported() -> None:
    with pytest.raises(OutboxUnavailableError):
        LocalOutbox("http://127.0.0.1:9").messages()


def test_production_has_no_outbox() -> None:
    pool = PoolSettings(
        region="eu-west-1",
        user_pool_id="eu-west-1_x",
        client_id="c",
        client_secret="s",
        endpoint_url="http://127.0.0.1:9229",
    )
    assert local_outbox(Settings(mode="production"), pool) is None
    assert isinstance(local_outbox(Settings(mode="embedded"), pool), LocalOutbox)


def _as_listed(mail: SentMail, n: int) -> OutboxMessage:
    return OutboxMessage(
        id=f"m{n}", sender=mail.source, to=mail.to[0], subject=mail.subject, html=mail.body
    )


def test_each_mail_says_when_its_link_was_sent_and_whether_it_still_works(
    services: Services,
) -> None:
    verify_sender()
    clock = MovableClock(now=datetime(2026, 11, 20, 12, 0, tzinfo=UTC))
    links = build_links(services, clock)
    binding = "this-browser-binding-value-0123456789"
    ask = {"purpose": LinkPurpose.LOGIN, "binding": binding, "client": CLIENT}
    links.request(email="alice@example.com", **ask)  # type: ignore[arg-type]
    clock.advance(seconds=61)
    links.request(email="alice@example.com", **ask)  # type: ignore[arg-type]
    links.request(email="bob@example.com", **ask)  # type: ignore[arg-type]
    replaced, used, fresh = (_as_listed(mail, n) for n, mail in enumerate(sent_mail()))
    clock.advance(seconds=30)
    links.redeem(token=sent_mail()[1].token, binding=binding, confirmed=False, client=CLIENT)
    no_link = OutboxMessage(
        id="plain", sender=SENDER, to="x@example.com", subject="Hi", html="<p>Hi</p>"
    )
    mails = [replaced, used, fresh, no_link]

    start = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    later = start + timedelta(seconds=61)
    assert link_states(services.engine, mails, now=clock.now) == {
        "m0": LinkStatus(LinkState.REPLACED, start, later),
        "m1": LinkStatus(LinkState.USED, later, later + timedelta(seconds=30)),
        "m2": LinkStatus(LinkState.LIVE, later),
        "plain": LinkStatus(LinkState.NONE),
    }
    after = clock.now + timedelta(minutes=15)
    assert link_states(services.engine, [fresh], now=after)["m2"] == LinkStatus(
        LinkState.EXPIRED, later, later + timedelta(minutes=15)
    )
    assert link_token(fresh.html) == sent_mail()[2].token


def test_the_stand_in_dates_every_mail_so_a_mail_without_a_link_has_a_time_too(
    stand_in: str,
) -> None:
    mail_times.install()
    try:
        mailer = SesMailer.connect(region="us-east-1", endpoint_url=stand_in, sender=SENDER)
        to = f"{uuid.uuid4().hex}@example.com"
        before = datetime.now(UTC)
        mailer.send(Mail(to=to, subject="Your password was changed", text="Hi", html="<p>Hi</p>"))
        after = datetime.now(UTC)
    finally:
        mail_times.uninstall()
    (mine,) = [m for m in LocalOutbox(stand_in).messages() if m.to == to]
    assert mine.sent_at is not None and before <= mine.sent_at <= after
    item = to_item(mine, LinkStatus(LinkState.NONE), after)
    assert (item.sent, item.badge) == ("just now", "")
    assert item.sent_exact == exact(mine.sent_at)
