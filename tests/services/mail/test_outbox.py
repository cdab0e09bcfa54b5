"""The local outbox reads what the embedded stand-in's SES accepted; production has none."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta

import boto3
import pytest
from moto.server import ThreadedMotoServer

from passkey_app.services.mail.mailer import SesMailer
from passkey_app.services.mail.outbox import LocalOutbox, OutboxUnavailableError, local_outbox
from passkey_app.services.mail.templates import link_mail
from passkey_app.settings import PoolSettings, Settings

SENDER = "no-reply@passkeys.localhost"


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
