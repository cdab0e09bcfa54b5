"""The user pool and its app client: read, merge what the app needs, write back whole.

UpdateUserPool and UpdateUserPoolClient reset every field left out of the request, so
each update starts from the Describe output and keeps only the writable fields.
"""

from __future__ import annotations

import copy
from typing import Any

from passkey_app.local_cognito.pool import ADMIN_GROUP, CREATED_BY_PASSKEY_ATTRIBUTE
from passkey_app.provision.plan import Change, Plan, dict_diff, list_diff

TRIGGERS = ("DefineAuthChallenge", "CreateAuthChallenge", "VerifyAuthChallengeResponse")
ATTRIBUTE = f"custom:{CREATED_BY_PASSKEY_ATTRIBUTE}"
# The app signs passwords in server-side (ADMIN_USER_PASSWORD_AUTH) and mints passkey
# sessions with CUSTOM_AUTH; refresh keeps sessions alive.
REQUIRED_FLOWS = (
    "ALLOW_CUSTOM_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
    "ALLOW_ADMIN_USER_PASSWORD_AUTH",
)

POOL_WRITABLE = (
    "Policies", "DeletionProtection", "LambdaConfig", "AutoVerifiedAttributes",
    "SmsVerificationMessage", "EmailVerificationMessage", "EmailVerificationSubject",
    "VerificationMessageTemplate", "SmsAuthenticationMessage", "UserAttributeUpdateSettings",
    "MfaConfiguration", "DeviceConfiguration", "EmailConfiguration", "SmsConfiguration",
    "UserPoolTags", "AdminCreateUserConfig", "UserPoolAddOns", "AccountRecoverySetting",
    "PoolName", "UserPoolTier",
)  # fmt: skip
CLIENT_WRITABLE = (
    "ClientName", "RefreshTokenValidity", "AccessTokenValidity", "IdTokenValidity",
    "TokenValidityUnits", "ReadAttributes", "WriteAttributes", "ExplicitAuthFlows",
    "SupportedIdentityProviders", "CallbackURLs", "LogoutURLs", "DefaultRedirectURI",
    "AllowedOAuthFlows", "AllowedOAuthScopes", "AllowedOAuthFlowsUserPoolClient",
    "AnalyticsConfiguration", "PreventUserExistenceErrors", "EnableTokenRevocation",
    "EnablePropagateAdditionalUserContextData", "AuthSessionValidity", "RefreshTokenRotation",
)  # fmt: skip
# Pre-2019 flow names cannot be mixed with ALLOW_* ones; these clients also allowed SRP and
# refresh implicitly, so the translation keeps every flow they accepted.
LEGACY_FLOWS = {
    "ADMIN_NO_SRP_AUTH": ("ALLOW_ADMIN_USER_PASSWORD_AUTH",),
    "USER_PASSWORD_AUTH": ("ALLOW_USER_PASSWORD_AUTH",),
    "CUSTOM_AUTH_FLOW_ONLY": ("ALLOW_CUSTOM_AUTH",),
}
LEGACY_IMPLIED = ("ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")


def pool_update_request(pool: dict[str, Any], lambda_config: dict[str, Any]) -> dict[str, Any]:
    """UpdateUserPool arguments that change only LambdaConfig and keep everything else."""
    request = {key: copy.deepcopy(pool[key]) for key in POOL_WRITABLE if key in pool}
    request["UserPoolId"] = pool["Id"]
    request["LambdaConfig"] = lambda_config
    # Describe returns the deprecated UnusedAccountValidityDays next to the password
    # policy's TemporaryPasswordValidityDays; Update rejects the two together.
    admin = request.get("AdminCreateUserConfig")
    if isinstance(admin, dict) and "TemporaryPasswordValidityDays" in str(request.get("Policies")):
        admin.pop("UnusedAccountValidityDays", None)
    return request


def plan_triggers(plan: Plan, client: Any, pool: dict[str, Any], arns: dict[str, str]) -> None:
    """Point the three custom-auth triggers at our functions; keep every other trigger."""
    current = dict(pool.get("LambdaConfig") or {})
    wanted = {**current, **arns}
    if wanted == current:
        return
    request = pool_update_request(pool, wanted)
    plan.add(
        Change(
            target=f"user pool {pool['Id']}",
            summary="set the custom-auth triggers (other triggers and settings kept)",
            diff=dict_diff({k: current.get(k) for k in arns}, arns),
            apply=lambda: client.update_user_pool(**request),
        )
    )


def plan_attribute(plan: Plan, client: Any, pool: dict[str, Any]) -> None:
    """Add ``custom:createdByPasskey`` (marks passkey sign-ups) if the pool lacks it."""
    names = {attribute["Name"] for attribute in pool.get("SchemaAttributes", [])}
    if ATTRIBUTE in names:
        return
    attribute = {
        "Name": CREATED_BY_PASSKEY_ATTRIBUTE,
        "AttributeDataType": "String",
        "Mutable": True,
        "StringAttributeConstraints": {"MinLength": "0", "MaxLength": "8"},
    }
    plan.add(
        Change(
            target=f"user pool {pool['Id']}",
            summary=f"add the custom attribute {ATTRIBUTE}",
            diff=(f"+ attribute: {ATTRIBUTE} (String, mutable)",),
            apply=lambda: client.add_custom_attributes(
                UserPoolId=pool["Id"], CustomAttributes=[attribute]
            ),
        )
    )


def plan_admin_group(plan: Plan, client: Any, pool_id: str) -> None:
    """Create the ``admin`` group (the dashboard's audience) if missing."""
    try:
        client.get_group(UserPoolId=pool_id, GroupName=ADMIN_GROUP)
        return
    except client.exceptions.ResourceNotFoundException:
        pass
    plan.add(
        Change(
            target=f"user pool {pool_id}",
            summary=f"create the group {ADMIN_GROUP!r}",
            diff=(f"+ group: {ADMIN_GROUP}",),
            apply=lambda: client.create_group(
                UserPoolId=pool_id, GroupName=ADMIN_GROUP, Description="Sees the admin dashboard"
            ),
        )
    )


def wanted_flows(flows: list[str]) -> list[str]:
    """The client's flows in ALLOW_* spelling plus CUSTOM_AUTH and refresh, order kept."""
    result: list[str] = []
    legacy = any(flow in LEGACY_FLOWS for flow in flows)
    for flow in [*flows, *(LEGACY_IMPLIED if legacy else ()), *REQUIRED_FLOWS]:
        for name in LEGACY_FLOWS.get(flow, (flow,)):
            if name not in result:
                result.append(name)
    return result


def plan_client(plan: Plan, client: Any, app_client: dict[str, Any]) -> None:
    """ALLOW_CUSTOM_AUTH + refresh and PreventUserExistenceErrors on the app client."""
    flows = list(app_client.get("ExplicitAuthFlows") or [])
    wanted = {"ExplicitAuthFlows": wanted_flows(flows), "PreventUserExistenceErrors": "ENABLED"}
    current = {key: app_client.get(key) for key in wanted}
    if current == wanted:
        return
    request = {key: copy.deepcopy(app_client[key]) for key in CLIENT_WRITABLE if key in app_client}
    request.update(wanted, UserPoolId=app_client["UserPoolId"], ClientId=app_client["ClientId"])
    diff = list_diff("ExplicitAuthFlows", flows, wanted["ExplicitAuthFlows"])
    if current["PreventUserExistenceErrors"] != "ENABLED":
        diff += dict_diff(
            {"PreventUserExistenceErrors": current["PreventUserExistenceErrors"] or "LEGACY"},
            {"PreventUserExistenceErrors": "ENABLED"},
        )
    plan.add(
        Change(
            target=f"app client {app_client['ClientId']}",
            summary="allow CUSTOM_AUTH and hide whether users exist (other settings kept)",
            diff=diff,
            apply=lambda: client.update_user_pool_client(**request),
        )
    )
