"""Fixtures for the magic-link tests: a verified SES sender in moto, a clock the test
moves, the service run synchronously, and the mail moto received."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import boto3
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from passkey_app.services.background import Job, Runner, run_now
from passkey_app.services.clock import Clock
from passkey_app.services.container import Services, build_magic_links
from passkey_app.services.magic_links.flows import MagicLinks
from passkey_app.settings import Settings

SENDER = "no-reply@passkeys.localhost"
API_URL = "https://id.example.com"
LINK_PREFIX = f"{API_URL}/api/magic-link/open?token="
_LINK = re.compile(r'href="(https://id\.example\.com/api/magic-link/open\?token=[^"]+)"')
_CODE = re.compile(r">([2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4})</p>")


@dataclass
class MovableClock:
    """Now, as far as the links are concerned; tests move it."""

    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        """Move time forward."""
        self.now += timedelta(**delta)


@dataclass
class SentMail:
    """One message as moto's SES kept it (the HTML part of a text+HTML message)."""

    to: list[str]
    source: str
    subject: str
    body: str

    @property
    def link(self) -> str:
        """The one sign-in link in the message."""
        found = _LINK.findall(self.body)
        assert len(found) == 1, self.body
        return str(found[0])

    @property
    def token(self) -> str:
        """The secret part of the link."""
        return self.link.removeprefix(LINK_PREFIX)

    @property
    def code(self) -> str:
        """The one sign-in code in the message, as shown (``K7QM-3XPD``)."""
        found = _CODE.findall(self.body)
        assert len(found) == 1, self.body
        return str(found[0])


def sent_mail() -> list[SentMail]:
    """Every message moto's SES has accepted, oldest first."""
    backend = ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"]
    return [
        SentMail(
            to=list(message.destinations.get("ToAddresses", [])),
            source=message.source,
            subject=message.subject,
            body=message.body,
        )
        for message in backend.sent_messages
    ]


def verify_sender() -> None:
    """SES sends only from a verified identity, in moto as in AWS."""
    boto3.client("ses", region_name="us-east-1").verify_email_identity(EmailAddress=SENDER)


def build_links(
    services: Services,
    clock: Clock,
    *,
    refuse_passkey_users: bool = False,
    runner: Runner = run_now,
) -> MagicLinks:
    """The service as the container builds it, with the test's clock, API URL and runner."""
    settings: Settings = services.settings.model_copy(
        update={
            "api_url": API_URL,
            "magic_links_refused_for_passkey_users": refuse_passkey_users,
        }
    )
    return build_magic_links(
        settings,
        services.pool,
        engine=services.engine,
        gateway=services.gateway,
        sessions=services.sessions,
        key_ring=services.key_ring,
        provisional=services.provisional,
        runner=runner,
        clock=clock,
    )


@dataclass
class CapturingRunner:
    """Holds background jobs until the test runs them."""

    jobs: list[Job] = field(default_factory=list)

    def __call__(self, job: Job) -> None:
        self.jobs.append(job)

    def run_all(self) -> None:
        """Run what was queued, in order."""
        while self.jobs:
            self.jobs.pop(0)()
