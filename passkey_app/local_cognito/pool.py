"""A realistic user pool for the stand-in, and demo users to sign in with.

The pool is configured as the production pool should be: email as username, the
three custom-auth triggers, a confidential app client with exactly the flows the
app uses, user existence errors prevented, an ``admin`` group.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient
    from mypy_boto3_cognito_idp.literals import ExplicitAuthFlowsTypeType
    from mypy_boto3_cognito_idp.type_defs import LambdaConfigTypeTypeDef, PasswordPolicyTypeTypeDef

ACCOUNT_ID = "123456789012"
POOL_NAME = "passkeys-local"
CLIENT_NAME = "passkeys-app"
ADMIN_GROUP = "admin"
CREATED_BY_PASSKEY_ATTRIBUTE = "createdByPasskey"
DEFINE_FUNCTION = "passkeys-define-auth-challenge"
CREATE_FUNCTION = "passkeys-create-auth-challenge"
VERIFY_FUNCTION = "passkeys-verify-auth-challenge"
EXPLICIT_AUTH_FLOWS: list[ExplicitAuthFlowsTypeType] = [
    "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "ALLOW_USER_PASSWORD_AUTH",
    "ALLOW_CUSTOM_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
]
PASSWORD_POLICY: PasswordPolicyTypeTypeDef = {
    "MinimumLength": 12,
    "RequireUppercase": True,
    "RequireLowercase": True,
    "RequireNumbers": True,
    "RequireSymbols": True,
    "TemporaryPasswordValidityDays": 7,
}


@dataclass(frozen=True)
class LocalPool:
    """Where the app finds the pool: what ``local-cognito.json`` holds."""

    region: str
    user_pool_id: str
    client_id: str
    client_secret: str
    endpoint_url: str | None


@dataclass(frozen=True)
class DemoUser:
    """A demo account, printed on the console so a developer can sign in."""

    email: str
    password: str
    groups: tuple[str, ...]
    note: str
    temporary: bool = False


# Demo-only constants: they exist to be printed on a developer's console.
DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("alice@example.com", "Alice-demo-pass-1", (), "password user"),
    DemoUser("bob@example.com", "Bob-demo-pass-1", (), "password user"),
    DemoUser("admin@example.com", "Admin-demo-pass-1", (ADMIN_GROUP,), "admin dashboard"),
    DemoUser(
        "carol@example.com",
        "Carol-temp-pass-1",
        (),
        "temporary password: must choose a new one",
        temporary=True,
    ),
)


def trigger_arn(region: str, function_name: str) -> str:
    """The ARN LambdaConfig holds for one of the trigger functions."""
    return f"arn:aws:lambda:{region}:{ACCOUNT_ID}:function:{function_name}"


def provision_local_pool(
    client: CognitoIdentityProviderClient, *, endpoint_url: str | None = None
) -> LocalPool:
    """Create the pool, its app client and the ``admin`` group; return how to reach them."""
    region = client.meta.region_name
    lambda_config: LambdaConfigTypeTypeDef = {
        "DefineAuthChallenge": trigger_arn(region, DEFINE_FUNCTION),
        "CreateAuthChallenge": trigger_arn(region, CREATE_FUNCTION),
        "VerifyAuthChallengeResponse": trigger_arn(region, VERIFY_FUNCTION),
    }
    pool = client.create_user_pool(
        PoolName=POOL_NAME,
        UsernameAttributes=["email"],
        AutoVerifiedAttributes=["email"],
        UsernameConfiguration={"CaseSensitive": False},
        Policies={"PasswordPolicy": PASSWORD_POLICY},
        LambdaConfig=lambda_config,
        AdminCreateUserConfig={"AllowAdminCreateUserOnly": False},
        AccountRecoverySetting={"RecoveryMechanisms": [{"Priority": 1, "Name": "verified_email"}]},
    )["UserPool"]
    pool_id = pool["Id"]
    # Added afterwards, as Cognito keeps the standard attributes next to custom ones.
    client.add_custom_attributes(
        UserPoolId=pool_id,
        CustomAttributes=[
            {
                "Name": CREATED_BY_PASSKEY_ATTRIBUTE,
                "AttributeDataType": "String",
                "Mutable": True,
                "StringAttributeConstraints": {"MinLength": "0", "MaxLength": "8"},
            }
        ],
    )
    app_client = client.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName=CLIENT_NAME,
        GenerateSecret=True,
        ExplicitAuthFlows=EXPLICIT_AUTH_FLOWS,
        PreventUserExistenceErrors="ENABLED",
        AuthSessionValidity=3,
        EnableTokenRevocation=True,
        RefreshTokenValidity=30,
        ReadAttributes=["email", "email_verified", f"custom:{CREATED_BY_PASSKEY_ATTRIBUTE}"],
        WriteAttributes=["email", f"custom:{CREATED_BY_PASSKEY_ATTRIBUTE}"],
    )["UserPoolClient"]
    client.create_group(
        UserPoolId=pool_id, GroupName=ADMIN_GROUP, Description="Sees the admin dashboard"
    )
    return LocalPool(
        region=region,
        user_pool_id=pool_id,
        client_id=app_client["ClientId"],
        client_secret=app_client["ClientSecret"],
        endpoint_url=endpoint_url,
    )


def seed_demo_users(client: CognitoIdentityProviderClient, pool: LocalPool) -> list[DemoUser]:
    """Create the demo users that do not exist yet; return all of them."""
    for user in DEMO_USERS:
        if not _user_exists(client, pool, user.email):
            _create_demo_user(client, pool, user)
    return list(DEMO_USERS)


def _user_exists(client: CognitoIdentityProviderClient, pool: LocalPool, email: str) -> bool:
    found = client.list_users(UserPoolId=pool.user_pool_id, Filter=f'email = "{email}"')
    return bool(found["Users"])


def _create_demo_user(
    client: CognitoIdentityProviderClient, pool: LocalPool, user: DemoUser
) -> None:
    client.admin_create_user(
        UserPoolId=pool.user_pool_id,
        Username=user.email,
        TemporaryPassword=user.password,
        MessageAction="SUPPRESS",
        UserAttributes=[
            {"Name": "email", "Value": user.email},
            {"Name": "email_verified", "Value": "true"},
        ],
    )
    if not user.temporary:
        client.admin_set_user_password(
            UserPoolId=pool.user_pool_id,
            Username=user.email,
            Password=user.password,
            Permanent=True,
        )
    for group in user.groups:
        client.admin_add_user_to_group(
            UserPoolId=pool.user_pool_id, Username=user.email, GroupName=group
        )
