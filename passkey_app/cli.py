"""``passkey-app``: run the embedded stack and manage the database."""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

from passkey_app.settings import Settings


def _dev(args: argparse.Namespace) -> int:
    from passkey_app.devserver import StackPorts, start_stack

    ports = StackPorts(
        frontend=args.frontend_port, backend=args.backend_port, local_aws=args.aws_port
    )
    stack = start_stack(data_dir=Path(args.data_dir), ports=ports, wait=False)
    print(f"\n  Open {stack.frontend_url}/login  (Ctrl-C stops everything)\n", flush=True)

    def _stop(_signum: int, _frame: object) -> None:
        stack.stop()
        sys.exit(0)

    signal.signal(signal.SIGTERM, _stop)
    try:
        stack.processes[-1].wait()
    except KeyboardInterrupt:
        pass
    finally:
        stack.stop()
    return 0


def _migrate(_args: argparse.Namespace) -> int:
    from passkey_app import migrations

    migrations.upgrade(Settings().effective_database_url)
    print("database is at the newest revision")
    return 0


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
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script."""
    args = build_parser().parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    sys.exit(main())
