"""A pre-existing pool as a customer would have it, in moto (cognito-idp, lambda, iam,
secretsmanager): a PreSignUp trigger, MFA, a password policy, email settings, and an
app client that signs in with SRP today."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from moto import mock_aws

from passkey_app.provision.output import Reporter
from passkey_app.provision.provision import AwsClients, ProvisionOptions

REGION = "us-east-1"
PRE_SIGN_UP_ARN = f"arn:aws:lambda:{REGION}:123456789012:function:existing-pre-sign-up"
PASSWORD_POLICY = {
    "MinimumLength": 12,
    "RequireUppercase": True,
    "RequireLowercase": True,
    "RequireNumbers": True,
    "RequireSymbols": False,
    "TemporaryPasswordValidityDays": 3,
}
EMAIL_CONFIGURATION = {
    "EmailSendingAccount": "DEVELOPER",
    "SourceArn": f"arn:aws:ses:{REGION}:123456789012:identity/example.com",
    "From": "Example <no-reply@example.com>",
}


@dataclass(frozen=True)
class ExistingPool:
    """The customer's pool and client before provisioning."""

    aws: AwsClients
    user_pool_id: str
    client_id: str

    @property
    def options(self) -> ProvisionOptions:
        """Provision options for this pool and client."""
        return ProvisionOptions(user_pool_id=self.user_pool_id, client_id=self.client_id)

    def describe(self) -> dict[str, Any]:
        """Everything provisioning may touch, for before/after comparisons."""
        cognito = self.aws.cognito
        pool = cognito.describe_user_pool(UserPoolId=self.user_pool_id)["UserPool"]
        client = cognito.describe_user_pool_client(
            UserPoolId=self.user_pool_id, ClientId=self.client_id
        )["UserPoolClient"]
        functions = self.aws.lambda_.list_functions()["Functions"]
        return {"pool": pool, "client": client, "functions": functions}


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake credentials: nothing may reach a real account."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def existing_pool(aws_env: None) -> Iterator[ExistingPool]:
    """The customer's pool in moto, before the app ever touched it."""
    with mock_aws():
        aws = AwsClients.create(boto3.Session(region_name=REGION))
        pool = aws.cognito.create_user_pool(
            PoolName="customers",
            Policies={"PasswordPolicy": PASSWORD_POLICY},
            LambdaConfig={"PreSignUp": PRE_SIGN_UP_ARN},
            MfaConfiguration="OPTIONAL",
            EmailConfiguration=EMAIL_CONFIGURATION,
            AutoVerifiedAttributes=["email"],
        )["UserPool"]
        aws.cognito.set_user_pool_mfa_config(
            UserPoolId=pool["Id"],
            SoftwareTokenMfaConfiguration={"Enabled": True},
            MfaConfiguration="OPTIONAL",
        )
        client = aws.cognito.create_user_pool_client(
            UserPoolId=pool["Id"],
            ClientName="web",
            GenerateSecret=True,
            ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH"],
            CallbackURLs=["https://app.example.com/callback"],
            RefreshTokenValidity=10,
        )["UserPoolClient"]
        yield ExistingPool(aws=aws, user_pool_id=pool["Id"], client_id=client["ClientId"])


@pytest.fixture
def reporter() -> Reporter:
    """Output captured in memory."""
    return Reporter(out=io.StringIO(), err=io.StringIO())
