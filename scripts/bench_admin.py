"""Benchmark: the admin dashboard's service calls on a seeded population.

Prints figures, asserts nothing (timed assertions flake). Seeds N users (10,000 by
default) into a moto pool and a migrated SQLite file with the same code as
`make seed`, then times what the dashboard's pages call:

    make bench-admin      (or: .venv/bin/python -m scripts.bench_admin --users 10000)
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
from cryptography.fernet import Fernet
from moto import mock_aws
from pydantic import SecretStr

from passkey_app import migrations
from passkey_app.dev.seed import seed
from passkey_app.local_cognito.extension import install
from passkey_app.local_cognito.pool import ADMIN_GROUP, provision_local_pool
from passkey_app.services.container import Services, build_services
from passkey_app.services.sessions.store import SignedInUser
from passkey_app.settings import Settings


def _time(name: str, rounds: int, step: Callable[[], object]) -> None:
    seconds = []
    for _ in range(rounds):
        started = time.perf_counter()
        step()
        seconds.append(time.perf_counter() - started)
    ordered = sorted(seconds)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    print(
        f"{name:<48} median {statistics.median(ordered) * 1000:8.2f} ms"
        f"   p95 {p95 * 1000:8.2f} ms   ({rounds} rounds)"
    )


def _services(folder: Path, client: object, pool_id: str, client_id: str, secret: str) -> Services:
    url = f"sqlite:///{folder / 'bench.db'}"
    migrations.upgrade(url)
    return build_services(
        Settings(
            data_dir=folder,
            database_url=url,
            user_pool_id=pool_id,
            client_id=client_id,
            client_secret=SecretStr(secret),
            proof_keys=SecretStr('{"bench": "' + "A" * 43 + '"}'),
            proof_active_key_id="bench",
            session_keys=SecretStr(Fernet.generate_key().decode()),
        )
    )


def main() -> None:
    """Seed, then time the first users page, a search, a user page, adoption and the log."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    os.environ.update(
        {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench"}
        | {"AWS_DEFAULT_REGION": "us-east-1"}
    )
    with tempfile.TemporaryDirectory() as folder, mock_aws():
        install()
        client = boto3.client("cognito-idp", region_name="us-east-1")
        pool = provision_local_pool(client)
        services = _services(
            Path(folder), client, pool.user_pool_id, pool.client_id, pool.client_secret
        )
        report = seed(
            client=client, user_pool_id=pool.user_pool_id, engine=services.engine, users=args.users
        )
        print(
            f"seed {args.users} users: {report.total_seconds:.1f} s (Cognito "
            f"{report.cognito_seconds:.1f} s, SQL {report.sql_seconds:.1f} s; "
            f"{report.passkeys} passkeys, {report.events} events)"
        )
        now = datetime.now(UTC)
        admin = SignedInUser(
            sub="bench-admin",
            username="admin@example.com",
            email="admin@example.com",
            groups=(ADMIN_GROUP,),
            auth_method="password",
            authenticated_at=now,
            session_created_at=now,
            session_expires_at=now + timedelta(hours=1),
            idle_expires_at=now + timedelta(hours=1),
        )
        service = services.admin
        first = service.list_users(admin)
        second_token = first.next_token
        some_sub = first.users[0].sub
        _time("users: first page (25)", args.rounds, lambda: service.list_users(admin))
        _time(
            "users: a later page (25)",
            args.rounds,
            lambda: service.list_users(admin, token=second_token),
        )
        _time(
            "users: first page of 60",
            args.rounds,
            lambda: service.list_users(admin, limit=60),
        )
        _time(
            "users: search email ^= 'demo0042'",
            args.rounds,
            lambda: service.list_users(admin, email_prefix="demo0042"),
        )
        _time(
            "user page (passkeys + 20 events)",
            args.rounds,
            lambda: service.user_detail(admin, sub=some_sub),
        )
        _time("adoption: all metrics, 30 days", args.rounds, lambda: service.adoption(admin))
        _time(
            "adoption: all metrics, 90 days", args.rounds, lambda: service.adoption(admin, days=90)
        )
        _time("audit log: first page (50)", args.rounds, lambda: service.audit_log(admin))
        _time(
            "audit log: one user by email",
            args.rounds,
            lambda: service.audit_log(admin, user="demo00042@example.org"),
        )
        _time(
            "audit log: login.password, last 7 days",
            args.rounds,
            lambda: service.audit_log(
                admin, event_type="login.password", since=now - timedelta(days=7)
            ),
        )
        services.engine.dispose()


if __name__ == "__main__":
    main()
