"""``passkey-app doctor``: what is missing or wrong in a pool and the app's settings.

Each finding says what is wrong and the fix; nothing is changed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from lambdas.config import ConfigError, config_from_environ
from lambdas.proof import ProofMethod
from passkey_app.local_cognito.pool import ADMIN_GROUP
from passkey_app.provision import functions, pool
from passkey_app.provision.provision import AwsClients, ProvisionOptions
from passkey_app.settings import Settings, SettingsError, check_production

PROVISION = "run `passkey-app provision --user-pool-id {pool} --client-id {client}`"
LAMBDA_ENV = ("PROOF_KEYS", "PROOF_ACTIVE_KEY_ID", "ALLOWED_CLIENT_IDS")


@dataclass(frozen=True)
class Finding:
    """One problem and how to fix it."""

    problem: str
    fix: str


def diagnose(aws: AwsClients, options: ProvisionOptions, settings: Settings) -> list[Finding]:
    """Every problem found, in the order a person would fix them."""
    described = aws.cognito.describe_user_pool(UserPoolId=options.user_pool_id)["UserPool"]
    app_client = aws.cognito.describe_user_pool_client(
        UserPoolId=options.user_pool_id, ClientId=options.client_id
    )["UserPoolClient"]
    provision = PROVISION.format(pool=options.user_pool_id, client=options.client_id)
    target = functions.Target.from_pool(described, options.prefix)
    findings = list(_settings_findings(settings, options))
    names = {attribute["Name"] for attribute in described.get("SchemaAttributes", [])}
    if pool.ATTRIBUTE not in names:
        findings.append(Finding(f"the pool has no {pool.ATTRIBUTE} attribute", provision))
    findings += _trigger_findings(aws, target, described, options, settings, provision)
    findings += _client_findings(app_client, provision)
    try:
        aws.cognito.get_group(UserPoolId=options.user_pool_id, GroupName=ADMIN_GROUP)
    except aws.cognito.exceptions.ResourceNotFoundException:
        findings.append(Finding(f"the pool has no {ADMIN_GROUP!r} group", provision))
    return findings


def _settings_findings(settings: Settings, options: ProvisionOptions) -> Iterator[Finding]:
    try:
        check_production(settings)
    except SettingsError as error:
        yield Finding(
            f"app settings: {error}", "fix the environment variable named (docs/deploy.md)"
        )
    for name, configured, checked in (
        ("PASSKEY_USER_POOL_ID", settings.user_pool_id, options.user_pool_id),
        ("PASSKEY_CLIENT_ID", settings.client_id, options.client_id),
    ):
        if configured and configured != checked:
            yield Finding(
                f"app settings: {name} is {configured}, not the checked {checked}",
                f"set {name}={checked} or check the pool the app uses",
            )


def _trigger_findings(
    aws: AwsClients,
    target: functions.Target,
    described: dict[str, Any],
    options: ProvisionOptions,
    settings: Settings,
    provision: str,
) -> Iterator[Finding]:
    lambda_config = described.get("LambdaConfig") or {}
    for trigger in pool.TRIGGERS:
        name = target.function_name(trigger)
        current = functions.current_function(aws.lambda_, name)
        configured = lambda_config.get(trigger)
        if current is None:
            yield Finding(f"Lambda {name} does not exist", provision)
        if configured is None:
            yield Finding(f"the pool has no {trigger} trigger", provision)
        elif current is not None and configured != current["FunctionArn"]:
            yield Finding(
                f"the {trigger} trigger is {configured}, not {current['FunctionArn']}", provision
            )
        if current is None:
            continue
        yield from _function_findings(aws, target, trigger, current, options, settings, provision)


def _function_findings(
    aws: AwsClients,
    target: functions.Target,
    trigger: str,
    current: dict[str, Any],
    options: ProvisionOptions,
    settings: Settings,
    provision: str,
) -> Iterator[Finding]:
    name = current["FunctionName"]
    env = (current.get("Environment") or {}).get("Variables") or {}
    missing = [key for key in LAMBDA_ENV if not env.get(key)]
    if missing:
        yield Finding(f"Lambda {name} lacks {', '.join(missing)}", provision)
    else:
        try:
            trigger_config = config_from_environ(env)
        except ConfigError as error:
            yield Finding(f"Lambda {name}: {error}", provision)
        else:
            if options.client_id not in trigger_config.allowed_client_ids:
                yield Finding(
                    f"Lambda {name}: ALLOWED_CLIENT_IDS lacks {options.client_id}", provision
                )
            refused = [m.value for m in ProofMethod if m not in trigger_config.allowed_methods]
            if refused:
                yield Finding(
                    f"Lambda {name}: ALLOWED_METHODS lacks {', '.join(refused)} "
                    "(those sign-ins would be refused)",
                    provision,
                )
            yield from _proof_key_findings(name, env, settings)
    handler = f"lambdas.{functions.TRIGGER_MODULES[trigger]}.handler"
    if current.get("Handler") != handler:
        yield Finding(
            f"Lambda {name}: handler is {current.get('Handler')}, not {handler}", provision
        )
    if not any(
        functions.grants_invoke(statement, target.pool_arn)
        for statement in functions.function_policy(aws.lambda_, name)
    ):
        yield Finding(f"Cognito may not invoke {name} for this pool", provision)


def _proof_key_findings(name: str, env: dict[str, str], settings: Settings) -> Iterator[Finding]:
    """The key the app signs with must be in the function's ring, byte for byte."""
    if settings.proof_keys is None or not settings.proof_active_key_id:
        yield Finding(
            "app settings: PASSKEY_PROOF_KEYS / PASSKEY_PROOF_ACTIVE_KEY_ID are not set",
            "copy them from the proof-key secret (docs/deploy.md, 'Proof key')",
        )
        return
    try:
        app_keys = json.loads(settings.proof_keys.get_secret_value())
        lambda_keys = json.loads(env["PROOF_KEYS"])
    except ValueError:
        yield Finding("PASSKEY_PROOF_KEYS is not JSON", "set it from the proof-key secret")
        return
    active = settings.proof_active_key_id
    if lambda_keys.get(active) is None or lambda_keys.get(active) != app_keys.get(active):
        yield Finding(
            f"Lambda {name} does not hold the app's active proof key {active!r} (key mismatch)",
            "set PASSKEY_PROOF_KEYS from the secret, or add the key to the secret and provision",
        )


def _client_findings(app_client: dict[str, Any], provision: str) -> Iterator[Finding]:
    flows = app_client.get("ExplicitAuthFlows") or []
    for flow in pool.REQUIRED_FLOWS:
        if flow not in flows:
            yield Finding(f"the app client does not allow {flow}", provision)
    if not app_client.get("ClientSecret"):
        yield Finding(
            "the app client has no secret",
            "create a new app client with a secret (Cognito cannot add one later)",
        )
    if app_client.get("PreventUserExistenceErrors") != "ENABLED":
        yield Finding("PreventUserExistenceErrors is off on the app client", provision)


def render(findings: list[Finding]) -> list[str]:
    """Terminal lines for the findings."""
    if not findings:
        return ["All checks passed: the pool and the app are ready."]
    lines = [f"{len(findings)} problem(s) found:"]
    for finding in findings:
        lines.extend([f"  x {finding.problem}", f"    fix: {finding.fix}"])
    return lines
