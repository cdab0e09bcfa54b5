"""The ``provision``, ``doctor``, ``export`` and ``import`` subcommands of ``passkey-app``."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from passkey_app.provision.errors import ProvisionError, explain
from passkey_app.provision.output import Reporter
from passkey_app.provision.provision import (
    DEFAULT_PREFIX,
    DEFAULT_SECRET_ID,
    AwsClients,
    ProvisionOptions,
    apply_plan,
    build_plan,
)
from passkey_app.settings import Settings


def register(commands: Any) -> None:
    """Add the four subcommands to the ``passkey-app`` parser."""
    provision = commands.add_parser("provision", help="wire a real user pool to the app")
    _pool_arguments(provision)
    provision.add_argument("--secret-id", default=DEFAULT_SECRET_ID, help="proof key secret")
    provision.add_argument("--role-arn", help="an existing execution role (else one is made)")
    provision.add_argument("--dry-run", action="store_true", help="print the plan, change nothing")
    provision.set_defaults(handler=_guarded(_provision, "provision"))
    doctor = commands.add_parser("doctor", help="check a pool and the app's settings")
    _pool_arguments(doctor)
    doctor.set_defaults(handler=_guarded(_doctor, "doctor"))
    export = commands.add_parser("export", help="write every passkey and its owner as JSON")
    export.add_argument("--output", "-o", default="-", help="file (default: stdout)")
    export.set_defaults(handler=_guarded(_export, "export"))
    importer = commands.add_parser("import", help="load passkeys from an export file")
    importer.add_argument("file", help="an export file (see docs/export-format.md)")
    importer.set_defaults(handler=_guarded(_import, "import"))


def _pool_arguments(parser: argparse.ArgumentParser) -> None:
    # Defaults straight from the environment: building the parser must not validate every
    # setting, or a bad PASSKEY_* variable would break `passkey-app dev` too.
    pool_id = os.environ.get("PASSKEY_USER_POOL_ID") or None
    client_id = os.environ.get("PASSKEY_CLIENT_ID") or None
    parser.add_argument("--user-pool-id", default=pool_id, required=pool_id is None)
    parser.add_argument("--client-id", default=client_id, required=client_id is None)
    parser.add_argument("--region", default=None, help="default: AWS_DEFAULT_REGION / profile")
    parser.add_argument("--prefix", default=DEFAULT_PREFIX, help="name prefix of the functions")


def _guarded(
    command: Callable[[argparse.Namespace, Reporter], int], name: str
) -> Callable[[argparse.Namespace], int]:
    """AWS and input errors become one line on stderr and exit code 1, never a traceback."""

    def run(args: argparse.Namespace) -> int:
        reporter = Reporter()
        try:
            return command(args, reporter)
        except (ClientError, BotoCoreError) as error:
            print(f"error: {explain(error, action=name)}", file=sys.stderr)
        except (ProvisionError, ValueError, OSError) as error:
            print(f"error: {name}: {error}", file=sys.stderr)
        return 1

    return run


def aws_clients(region: str | None) -> AwsClients:
    """Clients from the default credential chain (profile, environment, instance role)."""
    import boto3

    return AwsClients.create(boto3.Session(region_name=region))


def _options(args: argparse.Namespace) -> ProvisionOptions:
    return ProvisionOptions(
        user_pool_id=args.user_pool_id,
        client_id=args.client_id,
        prefix=args.prefix,
        secret_id=getattr(args, "secret_id", DEFAULT_SECRET_ID),
        role_arn=getattr(args, "role_arn", None),
    )


def _provision(args: argparse.Namespace, reporter: Reporter) -> int:
    plan = build_plan(aws_clients(args.region), _options(args), reporter)
    for line in plan.render():
        reporter.line(line)
    if args.dry_run or plan.empty:
        if args.dry_run:
            reporter.line("Dry run: nothing was changed.")
        return 0
    made = apply_plan(plan, reporter)
    reporter.line(f"Done: {made} change(s) made. Check with `passkey-app doctor`.")
    return 0


def _doctor(args: argparse.Namespace, reporter: Reporter) -> int:
    from passkey_app.provision.doctor import diagnose, render

    with reporter.step(f"checking user pool {args.user_pool_id}"):
        findings = diagnose(aws_clients(args.region), _options(args), Settings())
    for line in render(findings):
        reporter.line(line)
    return 1 if findings else 0


def _engine() -> Any:
    from passkey_app.db import make_engine

    return make_engine(Settings().effective_database_url)


def _export(args: argparse.Namespace, reporter: Reporter) -> int:
    from passkey_app.provision.transfer import export_document

    engine = _engine()
    try:
        document = export_document(engine, rp_id=Settings().rp_id)
    finally:
        engine.dispose()
    text = json.dumps(document, indent=2) + "\n"
    count = sum(len(user["passkeys"]) for user in document["users"])
    if args.output == "-":
        sys.stdout.write(text)
    else:
        Path(args.output).write_text(text)
    print(f"exported {count} passkey(s) of {len(document['users'])} user(s)", file=sys.stderr)
    return 0


def _import(args: argparse.Namespace, reporter: Reporter) -> int:
    from passkey_app.provision.transfer import import_document

    document = json.loads(Path(args.file).read_text())
    engine = _engine()
    try:
        result = import_document(engine, document)
    finally:
        engine.dispose()
    reporter.line(
        f"imported {result.passkeys_added} passkey(s) and {result.users_added} user(s); "
        f"{result.passkeys_unchanged} already present"
    )
    return 0
