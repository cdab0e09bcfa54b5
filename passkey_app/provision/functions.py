"""The three trigger functions, their execution role and Cognito's permission to invoke.

A function is created when missing; its code is updated only when the zip's SHA-256
differs from Lambda's ``CodeSha256``; its configuration only when a field differs.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from passkey_app.provision.lambda_zip import LambdaPackage
from passkey_app.provision.plan import Change, Plan, dict_diff

RUNTIME = "python3.12"
TIMEOUT_SECONDS = 5
MEMORY_MB = 128
SECRET_ENV = frozenset({"PROOF_KEYS"})
TRIGGER_MODULES = {
    "DefineAuthChallenge": "define_auth_challenge",
    "CreateAuthChallenge": "create_auth_challenge",
    "VerifyAuthChallengeResponse": "verify_auth_challenge",
}
COGNITO = "cognito-idp.amazonaws.com"
TRUST_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}
ROLE_POLICY_NAME = "write-own-logs"


@dataclass(frozen=True)
class Target:
    """Where things live: derived from the pool's ARN, so a dry run can name them too."""

    region: str
    account: str
    pool_arn: str
    prefix: str

    @classmethod
    def from_pool(cls, pool: dict[str, Any], prefix: str) -> Target:
        """Region and account from ``arn:aws:cognito-idp:REGION:ACCOUNT:userpool/ID``."""
        parts = pool["Arn"].split(":")
        return cls(region=parts[3], account=parts[4], pool_arn=pool["Arn"], prefix=prefix)

    def function_name(self, trigger: str) -> str:
        """``<prefix>-define-auth-challenge`` and so on."""
        return f"{self.prefix}-{TRIGGER_MODULES[trigger].replace('_', '-')}"

    def function_arn(self, trigger: str) -> str:
        """The unqualified function ARN Cognito's LambdaConfig holds."""
        return f"arn:aws:lambda:{self.region}:{self.account}:function:{self.function_name(trigger)}"

    @property
    def role_name(self) -> str:
        """The execution role shared by the three functions."""
        return f"{self.prefix}-triggers"

    @property
    def role_arn(self) -> str:
        """The role's ARN (IAM is global: no region)."""
        return f"arn:aws:iam::{self.account}:role/{self.role_name}"

    def role_policy(self) -> dict[str, Any]:
        """Write logs to the functions' own log groups, nothing else."""
        groups = f"arn:aws:logs:{self.region}:{self.account}:log-group:/aws/lambda/{self.prefix}-*"
        return {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                    "Resource": [groups, f"{groups}:*"],
                }
            ],
        }


def plan_role(plan: Plan, iam: Any, target: Target) -> None:
    """Create the execution role and its inline log policy when missing or different."""
    try:
        iam.get_role(RoleName=target.role_name)
    except iam.exceptions.NoSuchEntityException:
        plan.add(
            Change(
                target=f"IAM role {target.role_name}",
                summary="create the triggers' execution role (assumable by Lambda only)",
                diff=(f"+ role: {target.role_arn}",),
                apply=lambda: iam.create_role(
                    RoleName=target.role_name,
                    AssumeRolePolicyDocument=json.dumps(TRUST_POLICY),
                    Description="Cognito custom-auth triggers of passkey-app",
                ),
            )
        )
    wanted = target.role_policy()
    try:
        current = iam.get_role_policy(RoleName=target.role_name, PolicyName=ROLE_POLICY_NAME)
        document = current["PolicyDocument"]
        if (json.loads(document) if isinstance(document, str) else document) == wanted:
            return
    except iam.exceptions.NoSuchEntityException:
        pass
    plan.add(
        Change(
            target=f"IAM role {target.role_name}",
            summary=f"put the inline policy {ROLE_POLICY_NAME} (logs of these functions only)",
            diff=(f"+ policy: {ROLE_POLICY_NAME}",),
            apply=lambda: iam.put_role_policy(
                RoleName=target.role_name,
                PolicyName=ROLE_POLICY_NAME,
                PolicyDocument=json.dumps(wanted),
            ),
        )
    )


def function_config(
    target: Target, trigger: str, role_arn: str, environment: dict[str, str]
) -> dict[str, Any]:
    """The configuration fields we own, in UpdateFunctionConfiguration spelling."""
    return {
        "FunctionName": target.function_name(trigger),
        "Runtime": RUNTIME,
        "Role": role_arn,
        "Handler": f"lambdas.{TRIGGER_MODULES[trigger]}.handler",
        "Timeout": TIMEOUT_SECONDS,
        "MemorySize": MEMORY_MB,
        "Environment": {"Variables": environment},
    }


def current_function(lambda_client: Any, name: str) -> dict[str, Any] | None:
    """GetFunction's Configuration, or None when the function does not exist."""
    try:
        return dict(lambda_client.get_function(FunctionName=name)["Configuration"])
    except lambda_client.exceptions.ResourceNotFoundException:
        return None


def plan_function(
    plan: Plan,
    lambda_client: Any,
    *,
    wanted: dict[str, Any],
    current: dict[str, Any] | None,
    package: LambdaPackage,
) -> None:
    """Create the function, or update its code and/or configuration where they differ."""
    name = wanted["FunctionName"]
    if current is None:
        plan.add(
            Change(
                target=f"Lambda {name}",
                summary=f"create ({RUNTIME}, {len(package.data)} byte zip)",
                diff=_config_diff({}, wanted),
                apply=lambda: _create_function(lambda_client, wanted, package),
            )
        )
        return
    if current.get("CodeSha256") != package.code_sha256:
        plan.add(
            Change(
                target=f"Lambda {name}",
                summary="update the code (the lambdas/ source changed)",
                diff=(
                    f"- CodeSha256: {current.get('CodeSha256')}",
                    f"+ CodeSha256: {package.code_sha256}",
                ),
                apply=lambda: _update_code(lambda_client, name, package),
            )
        )
    diff = _config_diff(current, wanted)
    if diff:
        plan.add(
            Change(
                target=f"Lambda {name}",
                summary="update the configuration",
                diff=diff,
                apply=lambda: _update_config(lambda_client, wanted),
            )
        )


def _config_diff(current: dict[str, Any], wanted: dict[str, Any]) -> tuple[str, ...]:
    flat_current = {k: current.get(k) for k in wanted if k not in ("Environment", "FunctionName")}
    flat_wanted = {k: v for k, v in wanted.items() if k not in ("Environment", "FunctionName")}
    env_current = (current.get("Environment") or {}).get("Variables") or {}
    env_wanted = wanted["Environment"]["Variables"]
    return dict_diff(flat_current, flat_wanted) + dict_diff(
        {f"env {k}": v for k, v in env_current.items()},
        {f"env {k}": v for k, v in env_wanted.items()},
        secret_keys=frozenset(f"env {k}" for k in SECRET_ENV),
    )


def _create_function(lambda_client: Any, wanted: dict[str, Any], package: LambdaPackage) -> None:
    # A role created seconds ago may not be assumable yet (IAM is eventually consistent).
    for attempt in range(10):
        try:
            lambda_client.create_function(
                **wanted, Code={"ZipFile": package.data}, Publish=False, PackageType="Zip"
            )
            break
        except ClientError as error:
            message = error.response.get("Error", {}).get("Message", "")
            if attempt == 9 or "cannot be assumed" not in message:
                raise
            time.sleep(3)
    _wait_updated(lambda_client, wanted["FunctionName"], "function_active_v2")


def _update_code(lambda_client: Any, name: str, package: LambdaPackage) -> None:
    _wait_updated(lambda_client, name)
    lambda_client.update_function_code(FunctionName=name, ZipFile=package.data)
    _wait_updated(lambda_client, name)


def _update_config(lambda_client: Any, wanted: dict[str, Any]) -> None:
    _wait_updated(lambda_client, wanted["FunctionName"])
    lambda_client.update_function_configuration(**wanted)
    _wait_updated(lambda_client, wanted["FunctionName"])


def _wait_updated(lambda_client: Any, name: str, waiter: str = "function_updated_v2") -> None:
    lambda_client.get_waiter(waiter).wait(
        FunctionName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 120}
    )


def plan_permission(plan: Plan, lambda_client: Any, target: Target, trigger: str) -> None:
    """Let cognito-idp invoke the function, for this pool only (SourceArn)."""
    name = target.function_name(trigger)
    if _has_permission(lambda_client, name, target.pool_arn):
        return
    statement_id = f"cognito-{target.pool_arn.rsplit('/', 1)[-1]}"
    plan.add(
        Change(
            target=f"Lambda {name}",
            summary="allow Cognito to invoke it for this pool only",
            diff=(f"+ permission: {COGNITO} if SourceArn = {target.pool_arn}",),
            apply=lambda: lambda_client.add_permission(
                FunctionName=name,
                StatementId=statement_id,
                Action="lambda:InvokeFunction",
                Principal=COGNITO,
                SourceArn=target.pool_arn,
                SourceAccount=target.account,
            ),
        )
    )


def _has_permission(lambda_client: Any, name: str, pool_arn: str) -> bool:
    return any(
        grants_invoke(statement, pool_arn) for statement in function_policy(lambda_client, name)
    )


def function_policy(lambda_client: Any, name: str) -> list[dict[str, Any]]:
    """The statements of the function's resource policy (empty when it has none)."""
    try:
        policy = lambda_client.get_policy(FunctionName=name)["Policy"]
    except lambda_client.exceptions.ResourceNotFoundException:
        return []
    statements = json.loads(policy).get("Statement", [])
    return statements if isinstance(statements, list) else [statements]


def grants_invoke(statement: dict[str, Any], pool_arn: str) -> bool:
    principal = statement.get("Principal")
    service = principal.get("Service") if isinstance(principal, dict) else principal
    condition = json.dumps(statement.get("Condition", {}))
    return (
        statement.get("Effect") == "Allow"
        and service == COGNITO
        and statement.get("Action") in ("lambda:InvokeFunction", ["lambda:InvokeFunction"])
        and f'"{pool_arn}"' in condition
    )
