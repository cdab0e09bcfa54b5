"""``passkey-app provision``: plan every change a pool needs, then apply them in order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lambdas.config import (
    ALLOWED_CLIENT_IDS_ENV_VAR,
    ALLOWED_METHODS_ENV_VAR,
    DEFAULT_ALLOWED_METHODS,
)
from passkey_app.provision import functions, pool
from passkey_app.provision.lambda_zip import build_package
from passkey_app.provision.output import Reporter
from passkey_app.provision.plan import Plan
from passkey_app.provision.secrets import plan_proof_keys

DEFAULT_PREFIX = "passkey-app"
DEFAULT_SECRET_ID = "passkey-app/proof-keys"  # noqa: S105 (a name, not a secret)
DEFAULT_METHODS = DEFAULT_ALLOWED_METHODS
"""Every method the app signs proofs for (passkey, email link, email code)."""


@dataclass(frozen=True)
class AwsClients:
    """boto3 clients for one region (tests pass moto-backed ones)."""

    cognito: Any
    lambda_: Any
    iam: Any
    secrets: Any

    @classmethod
    def create(cls, session: Any) -> AwsClients:
        """All four from one boto3 session."""
        return cls(
            cognito=session.client("cognito-idp"),
            lambda_=session.client("lambda"),
            iam=session.client("iam"),
            secrets=session.client("secretsmanager"),
        )


@dataclass(frozen=True)
class ProvisionOptions:
    """What to provision."""

    user_pool_id: str
    client_id: str
    prefix: str = DEFAULT_PREFIX
    secret_id: str = DEFAULT_SECRET_ID
    role_arn: str | None = None
    allowed_methods: str = DEFAULT_METHODS


def build_plan(aws: AwsClients, options: ProvisionOptions, reporter: Reporter) -> Plan:
    """Read the pool, client, functions and secret; list what differs. Writes nothing."""
    plan = Plan()
    with reporter.step(f"reading user pool {options.user_pool_id}"):
        described = aws.cognito.describe_user_pool(UserPoolId=options.user_pool_id)["UserPool"]
        app_client = aws.cognito.describe_user_pool_client(
            UserPoolId=options.user_pool_id, ClientId=options.client_id
        )["UserPoolClient"]
    target = functions.Target.from_pool(described, options.prefix)
    pool.plan_attribute(plan, aws.cognito, described)
    with reporter.step(f"reading secret {options.secret_id}"):
        ring = plan_proof_keys(plan, aws.secrets, options.secret_id)
    if options.role_arn is None:
        with reporter.step(f"reading IAM role {target.role_name}"):
            functions.plan_role(plan, aws.iam, target)
    package = build_package()
    reporter.line(f"Lambda package: {len(package.data)} bytes, sha256 {package.code_sha256}")
    arns = {}
    for trigger in pool.TRIGGERS:
        name = target.function_name(trigger)
        with reporter.step(f"reading Lambda {name}"):
            current = functions.current_function(aws.lambda_, name)
            environment = _environment(current, options, ring)
            wanted = functions.function_config(
                target, trigger, options.role_arn or target.role_arn, environment
            )
            functions.plan_function(
                plan, aws.lambda_, wanted=wanted, current=current, package=package
            )
            functions.plan_permission(plan, aws.lambda_, target, trigger)
        arns[trigger] = current["FunctionArn"] if current else target.function_arn(trigger)
    pool.plan_triggers(plan, aws.cognito, described, arns)
    pool.plan_client(plan, aws.cognito, app_client)
    with reporter.step("reading groups"):
        pool.plan_admin_group(plan, aws.cognito, options.user_pool_id)
    return plan


def _environment(
    current: dict[str, Any] | None, options: ProvisionOptions, ring: Any
) -> dict[str, str]:
    """The functions' variables: ours set, other client ids and extra variables kept."""
    existing = dict(((current or {}).get("Environment") or {}).get("Variables") or {})
    clients = [c for c in existing.get(ALLOWED_CLIENT_IDS_ENV_VAR, "").split(",") if c]
    if options.client_id not in clients:
        clients.append(options.client_id)
    return {
        **existing,
        "PROOF_KEYS": ring.keys_json,
        "PROOF_ACTIVE_KEY_ID": ring.active_key_id,
        ALLOWED_CLIENT_IDS_ENV_VAR: ",".join(clients),
        ALLOWED_METHODS_ENV_VAR: options.allowed_methods,
    }


def apply_plan(plan: Plan, reporter: Reporter) -> int:
    """Make each change in order, with progress; returns how many were made."""
    for number, change in enumerate(plan.changes, start=1):
        with reporter.step(f"[{number}/{len(plan.changes)}] {change.target}: {change.summary}"):
            change.apply()
    return len(plan.changes)
