"""Benchmark: how long a magic-link request takes to answer, for an address with an
account and one without, and what the background work (lookup, limits, mail) costs.

Prints figures, asserts nothing (timed assertions flake). Real services on a migrated
SQLite file, a moto pool and moto SES:

    .venv/bin/python -m scripts.bench_magic_links --rounds 100
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import boto3
from moto import mock_aws

from passkey_app.services.audit import ClientInfo
from passkey_app.services.background import BackgroundRunner, run_now
from passkey_app.services.container import Services
from passkey_app.services.magic_links.flows import MagicLinks
from passkey_app.services.magic_links.store import LinkPurpose
from scripts.bench_support import (
    addresses,
    bench_services,
    magic_links,
    report,
    time_rounds,
)
from tests.services.magic_links.support import verify_sender


def _ask(links: MagicLinks, email: str, client: ClientInfo) -> None:
    links.request(email=email, purpose=LinkPurpose.LOGIN, binding="b" * 43, client=client)


def _known_users(services: Services, count: int) -> list[str]:
    cognito = boto3.client("cognito-idp", region_name="us-east-1")
    emails = [f"known-{n}@example.com" for n in range(count)]
    for email in emails:
        cognito.admin_create_user(
            UserPoolId=services.pool.user_pool_id, Username=email, MessageAction="SUPPRESS"
        )
    return emails


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=100)
    rounds = parser.parse_args().rounds
    with tempfile.TemporaryDirectory() as folder, mock_aws():
        services = bench_services(Path(folder))
        verify_sender()
        known = iter(_known_users(services, 2 * rounds))
        clients = addresses()
        background = BackgroundRunner(name="bench")
        for label, runner in (
            ("answered, work in background", background),
            ("all work inline", run_now),
        ):
            links = magic_links(services, runner)
            unknown = iter([f"nobody-{label[:3]}-{n}@example.com" for n in range(rounds)])
            for kind, emails in (("has account", known), ("no account", unknown)):
                seconds = time_rounds(
                    rounds,
                    lambda links=links, emails=emails: _ask(links, next(emails), next(clients)),
                )
                report(f"{label}: {kind}", seconds)
            background.shutdown()
        services.engine.dispose()


if __name__ == "__main__":
    main()
