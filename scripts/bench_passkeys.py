"""Benchmark: what one passkey registration and one passkey login cost on the server.

Prints figures, asserts nothing (timed assertions flake). Runs the real services on a
migrated SQLite file and a moto pool with our CUSTOM_AUTH extension, driven by the
software authenticator of the tests:

    make bench      (or: .venv/bin/python -m scripts.bench_passkeys --rounds 200)
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from cryptography.fernet import Fernet
from moto import mock_aws
from pydantic import SecretStr

from lambdas.config import get_config
from passkey_app import migrations
from passkey_app.local_cognito.extension import install
from passkey_app.local_cognito.pool import provision_local_pool, seed_demo_users
from passkey_app.services.audit import ClientInfo
from passkey_app.services.container import Services, build_services
from passkey_app.settings import Settings
from tests.support.authenticator import SoftAuthenticator, b64url

_ADDRESSES = itertools.count()


def _client() -> ClientInfo:
    """A new address for every round: the throttle's cost is measured, never its refusal."""
    number = next(_ADDRESSES)
    return ClientInfo(ip_address=f"10.{number >> 16 & 255}.{number >> 8 & 255}.{number & 255}")


def _report(name: str, seconds: list[float]) -> None:
    ordered = sorted(seconds)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    print(
        f"{name:<44} median {statistics.median(ordered) * 1000:7.2f} ms"
        f"   p95 {p95 * 1000:7.2f} ms   ({len(ordered)} rounds)"
    )


def _time(rounds: int, step: Callable[[], object]) -> list[float]:
    seconds = []
    for _ in range(rounds):
        started = time.perf_counter()
        step()
        seconds.append(time.perf_counter() - started)
    return seconds


def _services(folder: Path) -> Services:
    import boto3

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


def _email_step(services: Services, rounds: int) -> None:
    """The email step for a passkey account, a password account and an unknown address,
    interleaved so drift hits all three alike: their medians should match."""
    kinds = {
        "email step: passkey account": "bench-0@example.com",
        "email step: password account": "alice@example.com",
        "email step: unknown address": "nobody@example.com",
    }
    seconds: dict[str, list[float]] = {name: [] for name in kinds}
    for _ in range(rounds):
        for name, email in kinds.items():
            seconds[name] += _time(
                1,
                lambda email=email: services.passkey_login.step_for_email(
                    email=email, client=_client()
                ),
            )
    for name, values in seconds.items():
        _report(name, values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=200)
    rounds = parser.parse_args().rounds
    with tempfile.TemporaryDirectory() as folder, mock_aws():
        services = _services(Path(folder))
        device = SoftAuthenticator()
        counter = iter(range(10**9))

        def sign_up() -> None:
            client = _client()
            email = f"bench-{next(counter)}@example.com"
            ceremony = services.passkey_signup.begin(email=email, client=client)
            _, response = device.create(ceremony.options)
            services.passkey_signup.finish(handle=ceremony.handle, response=response, client=client)

        _report("sign-up (verify + Cognito user + mint)", _time(max(rounds // 4, 10), sign_up))
        _email_step(services, rounds)

        ceremonies = services.ceremonies
        prepared = [
            services.passkey_login.discoverable_options(client=_client()) for _ in range(rounds)
        ]
        answers = iter([(c.handle, device.get(c.options)) for c in prepared])

        def verify_only() -> None:
            handle, response = next(answers)
            ceremonies.verify_authentication(handle=handle, response=response)

        _report("assertion verify + counter UPDATE (SQLite)", _time(rounds, verify_only))

        def full_login() -> None:
            client = _client()
            ceremony = services.passkey_login.discoverable_options(client=client)
            response = device.get(ceremony.options)
            services.passkey_login.finish(handle=ceremony.handle, response=response, client=client)

        _report("passkey login (options .. session opened)", _time(rounds, full_login))
        services.engine.dispose()


if __name__ == "__main__":
    main()
