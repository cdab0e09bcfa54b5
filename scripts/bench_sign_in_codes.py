"""Benchmark: what a typed sign-in code costs, a wrong one for an address with an account
and for one without (they must cost the same), and a right one from check to session.

Prints figures, asserts nothing (timed assertions flake). Real services on a migrated
SQLite file, a moto pool and moto SES; every round asks for its own mail first (not
timed), from its own browser and IP, so no limit answers instead:

    .venv/bin/python -m scripts.bench_sign_in_codes --rounds 100
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
from collections.abc import Callable
from functools import partial
from pathlib import Path

import boto3
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from passkey_app.services.audit import ClientInfo
from passkey_app.services.background import BackgroundRunner, run_now
from passkey_app.services.errors import AuthError
from passkey_app.services.magic_links.flows import MagicLinks
from passkey_app.services.magic_links.store import LinkPurpose
from scripts.bench_support import (
    address,
    bench_services,
    magic_links,
    report,
    time_rounds,
)
from tests.services.magic_links.support import verify_sender

_CODE = re.compile(r">([2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4})</p>")


def _latest_code(email: str) -> str:
    """The code in the newest mail to ``email`` (security notices go out meanwhile)."""
    backend = ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"]
    for message in reversed(backend.sent_messages):
        found = _CODE.findall(message.body)
        if found and email in message.destinations.get("ToAddresses", []):
            return str(found[0])
    raise LookupError(f"no code mailed to {email}")


def _round(links: MagicLinks, email: str, number: int) -> tuple[str, ClientInfo]:
    """Ask for a mail from a browser and IP of this round's own; its binding."""
    binding = f"bench-binding-{number:08d}-xxxxxxxxxxxxxxxxxxxx"
    client = address(number)
    links.request(email=email, purpose=LinkPurpose.LOGIN, binding=binding, client=client)
    return binding, client


def _wrong(links: MagicLinks, binding: str, client: ClientInfo) -> Callable[[], None]:
    def attempt() -> None:
        try:
            links.redeem_code(code="ABCD-EFGH", binding=binding, client=client)
        except AuthError:
            return

    return attempt


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=100)
    rounds = parser.parse_args().rounds
    with tempfile.TemporaryDirectory() as folder, mock_aws():
        services = bench_services(Path(folder))
        verify_sender()
        cognito = boto3.client("cognito-idp", region_name="us-east-1")
        links = magic_links(services, run_now)
        known: list[float] = []
        unknown: list[float] = []
        mailed: list[tuple[str, str, ClientInfo]] = []
        for number in range(rounds):
            email = f"known-{number}@example.com"
            cognito.admin_create_user(
                UserPoolId=services.pool.user_pool_id, Username=email, MessageAction="SUPPRESS"
            )
            binding, client = _round(links, email, 3 * number)
            mailed.append((_latest_code(email), binding, client))
            other, other_client = _round(links, f"nobody-{number}@example.com", 3 * number + 1)
            pair = [(known, (binding, client)), (unknown, (other, other_client))]
            for figures, (browser, address) in pair[:: 1 if number % 2 else -1]:
                figures += time_rounds(1, _wrong(links, browser, address))  # alternating order
        # The right codes last: each sign-in leaves background work (the security notice)
        # that would otherwise slow whichever wrong code ran next.
        right = [
            seconds
            for code, binding, client in mailed
            for seconds in time_rounds(
                1, partial(links.redeem_code, code=code, binding=binding, client=client)
            )
        ]
        report("wrong code: has account", known)
        report("wrong code: no account", unknown)
        report("right code: check to session", right)
        ratio = statistics.median(unknown) / statistics.median(known)
        print(f"{'wrong code, no account / has account':<44} ratio {ratio:.2f} (medians)")
        runner = services.notices.runner  # the security notices still on their way
        if isinstance(runner, BackgroundRunner):
            runner.shutdown()
        services.engine.dispose()


if __name__ == "__main__":
    main()
