"""Benchmark: how long "Forgot your password?" takes to answer, for an address with a
password account and one without, with the account-dependent work (limit per account,
lookup, Cognito's ForgotPassword and its mail) in the background or inline.

Prints figures, asserts nothing (timed assertions flake). Real services on a migrated
SQLite file and a moto pool with the stand-in's recovery (the code mailed to moto SES):

    .venv/bin/python -m scripts.bench_password_reset --rounds 100
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import boto3
from moto import mock_aws

from passkey_app.services.background import BackgroundRunner, Runner, run_now
from passkey_app.services.container import Services
from passkey_app.services.password.reset import PasswordReset
from scripts.bench_support import addresses, bench_services, report


def _password_users(services: Services, count: int) -> list[str]:
    cognito = boto3.client("cognito-idp", region_name="us-east-1")
    emails = [f"known-{n}@example.com" for n in range(count)]
    for email in emails:
        cognito.admin_create_user(
            UserPoolId=services.pool.user_pool_id,
            Username=email,
            MessageAction="SUPPRESS",
            UserAttributes=[
                {"Name": "email", "Value": email},
                {"Name": "email_verified", "Value": "true"},
            ],
        )
        cognito.admin_set_user_password(
            UserPoolId=services.pool.user_pool_id,
            Username=email,
            Password="Bench-user-pass-1!",  # noqa: S106 (a benchmark user)
            Permanent=True,
        )
    return emails


def _reset(services: Services, runner: Runner) -> PasswordReset:
    return PasswordReset(
        engine=services.engine, gateway=services.gateway, sessions=services.sessions, runner=runner
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=100)
    rounds = parser.parse_args().rounds
    with tempfile.TemporaryDirectory() as folder, mock_aws():
        services = bench_services(Path(folder))
        known = iter(_password_users(services, 2 * rounds))
        clients = addresses()
        background = BackgroundRunner(name="bench")
        for label, runner in (
            ("answered, work in background", background),
            ("all work inline", run_now),
        ):
            reset = _reset(services, runner)
            unknown = iter([f"nobody-{label[:3]}-{n}@example.com" for n in range(rounds)])
            timings: dict[str, list[float]] = {"password account": [], "no account": []}
            # Alternating, so both kinds meet the same background load.
            for _ in range(rounds):
                for kind, emails in (("password account", known), ("no account", unknown)):
                    email, client = next(emails), next(clients)
                    started = time.perf_counter()
                    reset.request_code(email=email, client=client)
                    timings[kind].append(time.perf_counter() - started)
            for kind, seconds in timings.items():
                report(f"{label}: {kind}", seconds)
            background.shutdown()
        services.engine.dispose()


if __name__ == "__main__":
    main()
