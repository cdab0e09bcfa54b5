"""``passkey-app``: run the embedded stack and manage the database."""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

from passkey_app.settings import Settings


def _dev(args: argparse.Namespace) -> int:
    from passkey_app.dev.devserver import StackPorts, start_stack

    ports = StackPorts(
        frontend=args.frontend_port, backend=args.backend_port, local_aws=args.aws_port
    )
    stack = start_stack(data_dir=Path(args.data_dir), ports=ports, wait=False)
    print(f"\n  Open {stack.frontend_url}/login  (Ctrl-C stops everything)\n", flush=True)

    def _stop(_signum: int, _frame: object) -> None:
        # Only unwind the main thread here: stopping from inside the handler would wait on
        # the very process the interrupted wait() holds the lock of (a hang).
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _stop)
    try:
        stack.processes[-1].wait()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second SIGTERM must not cut the stop
        stack.stop()
    return 0


def _migrate(_args: argparse.Namespace) -> int:
    from passkey_app import migrations

    migrations.upgrade(Settings().effective_database_url)
    print("database is at the newest revision")
    return 0


def _seed(args: argparse.Namespace) -> int:
    import json

    import boto3
    from botocore.config import Config

    from passkey_app.db import make_engine
    from passkey_app.dev.progress import seed_progress
    from passkey_app.dev.seed import seed
    from passkey_app.local_cognito import quotas

    data_dir = Path(args.data_dir)
    pool = json.loads((data_dir / "local-cognito.json").read_text())
    client = boto3.client(
        "cognito-idp",
        region_name=pool["region"],
        endpoint_url=args.endpoint or pool["endpoint_url"],
        aws_access_key_id="local",
        aws_secret_access_key="local",  # noqa: S106 (the local stand-in ignores it)
        # Adaptive retries pace the job should a request be throttled all the same.
        config=Config(retries={"mode": "adaptive", "total_max_attempts": 10}),
    )
    # Demo data into the local stand-in: not counted against its quotas (UserCreation
    # 50/s would make 10,000 users take 200 s), as an AWS user import job is not.
    quotas.mark_bulk_load(client)
    engine = make_engine(Settings(data_dir=data_dir).effective_database_url)
    with seed_progress(args.users) as progress:
        report = seed(
            client=client,
            user_pool_id=pool["user_pool_id"],
            engine=engine,
            users=args.users,
            email_prefix=args.prefix,
            workers=4,
            progress=progress,
        )
    print(
        f"seeded {report.created} users ({report.skipped} already there), "
        f"{report.passkeys} passkeys and {report.events} audit events in "
        f"{report.total_seconds:.1f} s ({report.created / max(report.total_seconds, 1e-9):.0f} "
        f"users/s; Cognito {report.cognito_seconds:.1f} s, SQL {report.sql_seconds:.1f} s)"
    )
    return 0


def _wait_healthy(args: argparse.Namespace) -> int:
    """Poll /api/health until it answers 200 (the parts' states are printed as they
    change); exit 1 when the time is up."""
    import json
    import time
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + args.timeout
    last = ""
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(args.url, timeout=5) as answer:  # noqa: S310 (our URL)
                print(f"healthy: {json.loads(answer.read())['checks']}")
                return 0
        except urllib.error.HTTPError as error:
            state = error.read().decode(errors="replace")
        except OSError:
            state = "not answering yet"
        if state != last:
            print(f"waiting for {args.url}: {state}", flush=True)
            last = state
        time.sleep(1)
    print(f"{args.url} was not healthy within {args.timeout} s", file=sys.stderr)
    return 1


def build_parser() -> argparse.ArgumentParser:
    """The command tree."""
    parser = argparse.ArgumentParser(prog="passkey-app", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    dev = commands.add_parser("dev", help="run the app on the embedded default with hot reload")
    dev.add_argument("--data-dir", default=".local")
    dev.add_argument("--frontend-port", type=int, default=3000)
    dev.add_argument("--backend-port", type=int, default=8000)
    dev.add_argument("--aws-port", type=int, default=9229)
    dev.set_defaults(handler=_dev)
    migrate = commands.add_parser("migrate", help="apply the Alembic migrations")
    migrate.set_defaults(handler=_migrate)
    demo = commands.add_parser("seed", help="demo users, passkeys and audit events (make run)")
    demo.add_argument("--users", type=int, default=1000)
    demo.add_argument("--data-dir", default=".local")
    demo.add_argument("--endpoint", default=None, help="local Cognito (default: from the data)")
    demo.add_argument("--prefix", default="demo", help="emails are <prefix>00001@example.org")
    demo.set_defaults(handler=_seed)
    wait = commands.add_parser("wait-healthy", help="wait until /api/health answers 200")
    wait.add_argument("url", help="e.g. http://127.0.0.1:8000/api/health")
    wait.add_argument("--timeout", type=float, default=180.0)
    wait.set_defaults(handler=_wait_healthy)
    from passkey_app.provision.commands import register

    register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script."""
    args = build_parser().parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    sys.exit(main())
