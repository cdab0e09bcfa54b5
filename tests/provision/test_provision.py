"""Provisioning an existing pool in moto: everything it had is kept, the second run is a
no-op, and a dry run changes nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from passkey_app.dev.cli import main
from passkey_app.provision import provision as provision_module
from passkey_app.provision.lambda_zip import LAMBDAS_DIR, build_package
from passkey_app.provision.output import Reporter
from passkey_app.provision.provision import AwsClients, apply_plan, build_plan
from passkey_app.provision.secrets import parse_secret
from tests.provision.conftest import (
    EMAIL_CONFIGURATION,
    PASSWORD_POLICY,
    PRE_SIGN_UP_ARN,
    ExistingPool,
)

WRITE_PREFIXES = ("Create", "Update", "Add", "Put", "Attach", "Delete", "Remove", "Set")
TRIGGER_NAMES = {
    "DefineAuthChallenge": "passkey-app-define-auth-challenge",
    "CreateAuthChallenge": "passkey-app-create-auth-challenge",
    "VerifyAuthChallengeResponse": "passkey-app-verify-auth-challenge",
}


def provision(pool: ExistingPool, reporter: Reporter) -> int:
    """Plan and apply once; the number of changes made."""
    return apply_plan(build_plan(pool.aws, pool.options, reporter), reporter)


@pytest.fixture
def write_calls(existing_pool: ExistingPool) -> Iterator[list[str]]:
    """Every AWS write operation any of the four clients sends from now on."""
    calls: list[str] = []

    def record(model: Any, **_: Any) -> None:
        if model.name.startswith(WRITE_PREFIXES):
            calls.append(model.name)

    clients = vars(existing_pool.aws).values()
    for client in clients:
        client.meta.events.register("before-call.*", record)
    yield calls
    for client in clients:
        client.meta.events.unregister("before-call.*", record)


def test_provision_keeps_every_existing_trigger_and_setting(
    existing_pool: ExistingPool, reporter: Reporter
) -> None:
    before = existing_pool.describe()
    assert provision(existing_pool, reporter) == 13
    after = existing_pool.describe()
    pool, client = after["pool"], after["client"]

    functions = {f["FunctionName"]: f for f in after["functions"]}
    assert pool["LambdaConfig"] == {
        "PreSignUp": PRE_SIGN_UP_ARN,
        **{trigger: functions[name]["FunctionArn"] for trigger, name in TRIGGER_NAMES.items()},
    }
    assert pool["Policies"]["PasswordPolicy"] == PASSWORD_POLICY
    assert pool["EmailConfiguration"] == EMAIL_CONFIGURATION
    assert pool["MfaConfiguration"] == "OPTIONAL"
    assert pool["AutoVerifiedAttributes"] == ["email"]
    mfa = existing_pool.aws.cognito.get_user_pool_mfa_config(UserPoolId=pool["Id"])
    assert mfa["SoftwareTokenMfaConfiguration"] == {"Enabled": True}
    assert "custom:createdByPasskey" in {a["Name"] for a in pool["SchemaAttributes"]}

    assert client["ExplicitAuthFlows"] == [
        "ALLOW_USER_SRP_AUTH",
        "ALLOW_ADMIN_USER_PASSWORD_AUTH",
        "ALLOW_CUSTOM_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
    ]
    assert client["PreventUserExistenceErrors"] == "ENABLED"
    for kept in ("ClientSecret", "CallbackURLs", "RefreshTokenValidity", "ClientName"):
        assert client[kept] == before["client"][kept]
    group = existing_pool.aws.cognito.get_group(UserPoolId=pool["Id"], GroupName="admin")
    assert group["Group"]["GroupName"] == "admin"


def test_functions_carry_the_zip_the_env_and_a_pool_scoped_permission(
    existing_pool: ExistingPool, reporter: Reporter
) -> None:
    provision(existing_pool, reporter)
    aws: AwsClients = existing_pool.aws
    secret = aws.secrets.get_secret_value(SecretId="passkey-app/proof-keys")["SecretString"]
    ring = parse_secret(secret, secret_id="passkey-app/proof-keys")
    pool_arn = existing_pool.describe()["pool"]["Arn"]
    package = build_package()
    for trigger, name in TRIGGER_NAMES.items():
        config = aws.lambda_.get_function(FunctionName=name)["Configuration"]
        module = name.removeprefix("passkey-app-").replace("-", "_")
        assert config["Handler"] == f"lambdas.{module}.handler"
        assert config["CodeSha256"] == package.code_sha256
        assert config["Environment"]["Variables"] == {
            "PROOF_KEYS": ring.keys_json,
            "PROOF_ACTIVE_KEY_ID": ring.active_key_id,
            "ALLOWED_CLIENT_IDS": existing_pool.client_id,
            "ALLOWED_METHODS": "passkey,magic_link,email_code",
        }, trigger
        (statement,) = json.loads(aws.lambda_.get_policy(FunctionName=name)["Policy"])["Statement"]
        assert statement["Principal"] == {"Service": "cognito-idp.amazonaws.com"}
        assert statement["Condition"]["ArnLike"]["AWS:SourceArn"] == pool_arn


def test_the_zip_holds_only_the_lambdas_package_and_is_reproducible() -> None:
    package = build_package()
    expected = sorted(f"lambdas/{path.name}" for path in LAMBDAS_DIR.glob("*.py"))
    assert list(package.files) == expected
    assert "lambdas/__init__.py" in package.files
    assert package.data == build_package().data
    assert len(package.data) < 64 * 1024


def test_a_second_run_writes_nothing(
    existing_pool: ExistingPool, reporter: Reporter, write_calls: list[str]
) -> None:
    provision(existing_pool, reporter)
    assert "UpdateUserPool" in write_calls and "CreateFunction" in write_calls
    described = existing_pool.describe()
    write_calls.clear()

    plan = build_plan(existing_pool.aws, existing_pool.options, reporter)

    assert plan.empty
    assert plan.render() == ["Nothing to change: the pool is already provisioned."]
    assert apply_plan(plan, reporter) == 0
    assert write_calls == []
    assert existing_pool.describe() == described


def test_a_pool_provisioned_before_sign_in_codes_gets_the_email_code_method(
    existing_pool: ExistingPool, reporter: Reporter, write_calls: list[str]
) -> None:
    older = replace(existing_pool.options, allowed_methods="passkey,magic_link")
    apply_plan(build_plan(existing_pool.aws, older, reporter), reporter)
    write_calls.clear()

    plan = build_plan(existing_pool.aws, existing_pool.options, reporter)

    assert [c.summary for c in plan.changes] == ["update the configuration"] * 3
    apply_plan(plan, reporter)
    assert write_calls == ["UpdateFunctionConfiguration"] * 3
    for name in TRIGGER_NAMES.values():
        config = existing_pool.aws.lambda_.get_function(FunctionName=name)["Configuration"]
        methods = config["Environment"]["Variables"]["ALLOWED_METHODS"]
        assert methods == "passkey,magic_link,email_code"


def test_a_changed_lambda_source_updates_only_the_code(
    existing_pool: ExistingPool,
    reporter: Reporter,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    write_calls: list[str],
) -> None:
    provision(existing_pool, reporter)
    changed = tmp_path / "lambdas"
    changed.mkdir()
    for source in LAMBDAS_DIR.glob("*.py"):
        (changed / source.name).write_bytes(source.read_bytes())
    with (changed / "config.py").open("a") as handle:
        handle.write("\n# a new release\n")
    monkeypatch.setattr(provision_module, "build_package", lambda: build_package(changed))
    write_calls.clear()

    plan = build_plan(existing_pool.aws, existing_pool.options, reporter)

    assert [c.summary for c in plan.changes] == [
        "update the code (the lambdas/ source changed)"
    ] * 3
    apply_plan(plan, reporter)
    assert write_calls == ["UpdateFunctionCode"] * 3


def test_dry_run_prints_the_plan_and_changes_nothing(
    existing_pool: ExistingPool,
    write_calls: list[str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = existing_pool.describe()
    code = main(
        [
            "provision",
            "--dry-run",
            "--user-pool-id",
            existing_pool.user_pool_id,
            "--client-id",
            existing_pool.client_id,
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "13 change(s):" in out
    assert "+ ExplicitAuthFlows: ALLOW_CUSTOM_AUTH" in out
    assert "- PreventUserExistenceErrors: LEGACY" in out
    assert "+ env PROOF_KEYS: <redacted>" in out
    assert out.rstrip().endswith("Dry run: nothing was changed.")
    assert write_calls == []
    assert existing_pool.describe() == before
    with pytest.raises(existing_pool.aws.secrets.exceptions.ResourceNotFoundException):
        existing_pool.aws.secrets.get_secret_value(SecretId="passkey-app/proof-keys")


def test_the_cli_provisions_then_reports_nothing_to_change(
    existing_pool: ExistingPool, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["provision", "--user-pool-id", existing_pool.user_pool_id]
    args += ["--client-id", existing_pool.client_id]
    assert main(args) == 0
    first = capsys.readouterr()
    assert "Done: 13 change(s) made." in first.out
    assert "[13/13] user pool" in first.err
    assert main(args) == 0
    assert "Nothing to change: the pool is already provisioned." in capsys.readouterr().out


@pytest.mark.parametrize(
    ("operation", "describe"),
    [("UpdateUserPool", "pool"), ("UpdateUserPoolClient", "client")],
)
def test_updates_send_back_every_writable_field_they_read(
    existing_pool: ExistingPool, reporter: Reporter, operation: str, describe: str
) -> None:
    """Cognito resets what an Update leaves out (moto only does so for the pool), so each
    request must carry every field Describe returned that the operation accepts."""
    sent: dict[str, Any] = {}

    def capture(params: dict[str, Any], model: Any, **_: Any) -> None:
        if model.name == operation:
            sent.update(params)

    client = existing_pool.aws.cognito
    client.meta.events.register("provide-client-params.cognito-idp.*", capture)
    before = existing_pool.describe()[describe]
    provision(existing_pool, reporter)

    accepted = set(client.meta.service_model.operation_model(operation).input_shape.members)
    merged = {"LambdaConfig", "ExplicitAuthFlows", "PreventUserExistenceErrors"}
    expected = {k: v for k, v in before.items() if k in accepted and k not in merged}
    assert expected, "the describe output shares no field with the update"
    # Deprecated and rejected next to TemporaryPasswordValidityDays: dropped on purpose.
    expected.get("AdminCreateUserConfig", {}).pop("UnusedAccountValidityDays", None)
    assert {k: sent[k] for k in expected} == expected
