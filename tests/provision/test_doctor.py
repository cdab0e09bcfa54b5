"""``doctor`` against moto: a provisioned pool passes; each seeded mistake is found."""

from __future__ import annotations

import json
import secrets
from dataclasses import replace

import pytest
from pydantic import SecretStr

from passkey_app.dev.cli import main
from passkey_app.provision.doctor import diagnose, render
from passkey_app.provision.output import Reporter
from passkey_app.provision.provision import apply_plan, build_plan
from passkey_app.provision.secrets import parse_secret
from passkey_app.settings import Settings
from tests.provision.conftest import ExistingPool

DEFINE = "passkey-app-define-auth-challenge"
CREATE = "passkey-app-create-auth-challenge"
VERIFY = "passkey-app-verify-auth-challenge"


def app_settings(pool: ExistingPool, **overrides: object) -> Settings:
    """The app's settings as deployed next to this pool (keys from the secret)."""
    secret = pool.aws.secrets.get_secret_value(SecretId="passkey-app/proof-keys")
    ring = parse_secret(secret["SecretString"], secret_id="passkey-app/proof-keys")
    values: dict[str, object] = {
        "user_pool_id": pool.user_pool_id,
        "client_id": pool.client_id,
        "proof_keys": SecretStr(ring.keys_json),
        "proof_active_key_id": ring.active_key_id,
    }
    return Settings(_env_file=None, **{**values, **overrides})  # type: ignore[call-arg]


@pytest.fixture
def provisioned(existing_pool: ExistingPool, reporter: Reporter) -> ExistingPool:
    """The pool after a successful provision."""
    apply_plan(build_plan(existing_pool.aws, existing_pool.options, reporter), reporter)
    return existing_pool


def problems(pool: ExistingPool, settings: Settings) -> list[str]:
    """The findings' problem lines."""
    return [f.problem for f in diagnose(pool.aws, pool.options, settings)]


def test_a_provisioned_pool_passes(provisioned: ExistingPool) -> None:
    findings = diagnose(provisioned.aws, provisioned.options, app_settings(provisioned))
    assert findings == []
    assert render(findings) == ["All checks passed: the pool and the app are ready."]


def test_an_untouched_pool_lists_everything_provision_would_do(
    existing_pool: ExistingPool,
) -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    found = problems(existing_pool, settings)
    assert found == [
        "the pool has no custom:createdByPasskey attribute",
        f"Lambda {DEFINE} does not exist",
        "the pool has no DefineAuthChallenge trigger",
        f"Lambda {CREATE} does not exist",
        "the pool has no CreateAuthChallenge trigger",
        f"Lambda {VERIFY} does not exist",
        "the pool has no VerifyAuthChallengeResponse trigger",
        "the app client does not allow ALLOW_CUSTOM_AUTH",
        "the app client does not allow ALLOW_REFRESH_TOKEN_AUTH",
        "PreventUserExistenceErrors is off on the app client",
        "the pool has no 'admin' group",
    ]
    fixes = {f.fix for f in diagnose(existing_pool.aws, existing_pool.options, settings)}
    assert fixes == {
        f"run `passkey-app provision --user-pool-id {existing_pool.user_pool_id} "
        f"--client-id {existing_pool.client_id}`"
    }


def test_seeded_misconfigurations_are_each_found(provisioned: ExistingPool) -> None:
    aws, pool_id = provisioned.aws, provisioned.user_pool_id
    described = provisioned.describe()
    pool, client = described["pool"], described["client"]
    wrong_arn = "arn:aws:lambda:us-east-1:123456789012:function:someone-elses"
    config = {k: v for k, v in pool["LambdaConfig"].items() if k != "DefineAuthChallenge"}
    aws.cognito.update_user_pool(
        UserPoolId=pool_id, LambdaConfig={**config, "CreateAuthChallenge": wrong_arn}
    )
    aws.cognito.update_user_pool_client(
        UserPoolId=pool_id,
        ClientId=client["ClientId"],
        ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH"],
        PreventUserExistenceErrors="LEGACY",
    )
    aws.cognito.delete_group(UserPoolId=pool_id, GroupName="admin")
    env = aws.lambda_.get_function(FunctionName=VERIFY)["Configuration"]["Environment"]
    del env["Variables"]["ALLOWED_CLIENT_IDS"]
    aws.lambda_.update_function_configuration(FunctionName=VERIFY, Environment=env)
    statement = json.loads(aws.lambda_.get_policy(FunctionName=DEFINE)["Policy"])["Statement"][0]
    aws.lambda_.remove_permission(FunctionName=DEFINE, StatementId=statement["Sid"])

    assert problems(provisioned, app_settings(provisioned)) == [
        "the pool has no DefineAuthChallenge trigger",
        f"Cognito may not invoke {DEFINE} for this pool",
        f"the CreateAuthChallenge trigger is {wrong_arn}, not "
        f"arn:aws:lambda:us-east-1:123456789012:function:{CREATE}",
        f"Lambda {VERIFY} lacks ALLOWED_CLIENT_IDS",
        "the app client does not allow ALLOW_CUSTOM_AUTH",
        "the app client does not allow ALLOW_REFRESH_TOKEN_AUTH",
        "PreventUserExistenceErrors is off on the app client",
        "the pool has no 'admin' group",
    ]


def test_a_proof_key_the_functions_do_not_hold_is_a_mismatch(provisioned: ExistingPool) -> None:
    settings = app_settings(provisioned)
    active = settings.proof_active_key_id
    other = SecretStr(json.dumps({active: secrets.token_urlsafe(32)}))
    found = problems(provisioned, app_settings(provisioned, proof_keys=other))
    assert found == [
        f"Lambda {name} does not hold the app's active proof key {active!r} (key mismatch)"
        for name in (DEFINE, CREATE, VERIFY)
    ]


def test_functions_that_do_not_allow_the_email_code_are_found(
    existing_pool: ExistingPool, reporter: Reporter
) -> None:
    older = replace(existing_pool.options, allowed_methods="passkey,magic_link")
    apply_plan(build_plan(existing_pool.aws, older, reporter), reporter)
    assert problems(existing_pool, app_settings(existing_pool)) == [
        f"Lambda {name}: ALLOWED_METHODS lacks email_code (those sign-ins would be refused)"
        for name in (DEFINE, CREATE, VERIFY)
    ]


def test_app_settings_problems_and_a_client_without_secret(provisioned: ExistingPool) -> None:
    public = provisioned.aws.cognito.create_user_pool_client(
        UserPoolId=provisioned.user_pool_id,
        ClientName="public",
        GenerateSecret=False,
        ExplicitAuthFlows=[
            "ALLOW_CUSTOM_AUTH",
            "ALLOW_REFRESH_TOKEN_AUTH",
            "ALLOW_ADMIN_USER_PASSWORD_AUTH",
        ],
        PreventUserExistenceErrors="ENABLED",
    )["UserPoolClient"]
    options = provisioned.options.__class__(
        user_pool_id=provisioned.user_pool_id, client_id=public["ClientId"]
    )
    settings = app_settings(provisioned, mode="production")
    found = [f.problem for f in diagnose(provisioned.aws, options, settings)]
    assert found[:2] == [
        "app settings: PASSKEY_CLIENT_SECRET must be set in production",
        f"app settings: PASSKEY_CLIENT_ID is {provisioned.client_id}, "
        f"not the checked {public['ClientId']}",
    ]
    assert "the app client has no secret" in found
    assert found.count(f"Lambda {DEFINE}: ALLOWED_CLIENT_IDS lacks {public['ClientId']}") == 1


def test_doctor_cli_exits_non_zero_with_the_fixes(
    existing_pool: ExistingPool, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "doctor",
            "--user-pool-id",
            existing_pool.user_pool_id,
            "--client-id",
            existing_pool.client_id,
        ]
    )
    out = capsys.readouterr().out
    assert code == 1
    assert out.startswith("11 problem(s) found:\n  x the pool has no custom:createdByPasskey")
    assert "    fix: run `passkey-app provision" in out
