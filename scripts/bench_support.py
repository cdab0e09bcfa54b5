"""What the server-side benchmarks share: the real services on a migrated SQLite file
and a moto pool, a new client address per request, the timing loop and its report line
(moto's verified sender: ``tests.services.magic_links.support.verify_sender``)."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import boto3
from cryptography.fernet import Fernet
from pydantic import SecretStr

from lambdas.config import get_config
from passkey_app import migrations
from passkey_app.local_cognito.extension import install
from passkey_app.local_cognito.pool import provision_local_pool, seed_demo_users
from passkey_app.services.audit import ClientInfo
from passkey_app.services.background import Runner
from passkey_app.services.clock import system_clock
from passkey_app.services.container import Services, build_services
from passkey_app.services.magic_links.flows import MagicLinks
from passkey_app.settings import Settings
from tests.services.magic_links.support import build_links
from tests.support.authenticator import b64url


def address(number: int) -> ClientInfo:
    """Client number ``number``, from an address of its own (10.0.0.0/8), so no per-address
    limit answers instead of what is measured."""
    return ClientInfo(ip_address=f"10.{number >> 16 & 255}.{number >> 8 & 255}.{number & 255}")


def addresses() -> Iterator[ClientInfo]:
    """A new client address per request."""
    for number in range(1 << 24):
        yield address(number)


def report(name: str, seconds: list[float]) -> None:
    """One figure's line: median and p95 in milliseconds, and the rounds."""
    ordered = sorted(seconds)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    print(
        f"{name:<44} median {statistics.median(ordered) * 1000:7.2f} ms"
        f"   p95 {p95 * 1000:7.2f} ms   ({len(ordered)} rounds)"
    )


def time_rounds(rounds: int, step: Callable[[], object]) -> list[float]:
    """Seconds each of ``rounds`` calls of ``step`` took."""
    seconds = []
    for _ in range(rounds):
        started = time.perf_counter()
        step()
        seconds.append(time.perf_counter() - started)
    return seconds


def bench_services(folder: Path) -> Services:
    """The real services on a migrated SQLite file in ``folder`` and a moto pool (call
    inside ``mock_aws``), with the CUSTOM_AUTH extension and the demo users."""
    key = b64url(os.urandom(32))
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_DEFAULT_REGION": "us-east-1",
            "PROOF_KEYS": f'{{"bench": "{key}"}}',
            "PROOF_ACTIVE_KEY_ID": "bench",
        }
    )
    install()
    client = boto3.client("cognito-idp", region_name="us-east-1")
    pool = provision_local_pool(client)
    seed_demo_users(client, pool)
    os.environ["ALLOWED_CLIENT_IDS"] = pool.client_id
    get_config.cache_clear()
    url = f"sqlite:///{folder / 'bench.db'}"
    migrations.upgrade(url)
    return build_services(
        Settings(
            data_dir=folder,
            database_url=url,
            user_pool_id=pool.user_pool_id,
            client_id=pool.client_id,
            client_secret=SecretStr(pool.client_secret),
            proof_keys=SecretStr(f'{{"bench": "{key}"}}'),
            proof_active_key_id="bench",
            session_keys=SecretStr(Fernet.generate_key().decode()),
        )
    )


def magic_links(services: Services, runner: Runner) -> MagicLinks:
    """The email-link service of ``services`` as the tests build it, on the system clock,
    its background work run by ``runner``."""
    return build_links(services, system_clock, runner=runner)
