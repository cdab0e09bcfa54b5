"""Fresh password users in the running stack's local Cognito, one per test, so tests that
add passkeys never change what another test's demo user sees."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

from passkey_app.dev.devserver import Stack


@dataclass(frozen=True)
class PasswordUser:
    """An existing Cognito user who signs in with a password today."""

    email: str
    password: str


def unique_email(prefix: str) -> str:
    """An address no other test uses."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.com"


def stack_pool(stack: Stack, data_dir: Path) -> tuple[Any, dict[str, str]]:
    """A Cognito client of the stack's stand-in, and its pool (ids, region)."""
    pool = json.loads((data_dir / "local-cognito.json").read_text())
    client = boto3.client(
        "cognito-idp",
        region_name=pool["region"],
        endpoint_url=f"http://127.0.0.1:{stack.ports.local_aws}",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    return client, pool


def create_password_user(stack: Stack, data_dir: Path, prefix: str) -> PasswordUser:
    """AdminCreateUser + a permanent password, as an existing pool's user would be."""
    client, pool = stack_pool(stack, data_dir)
    user = PasswordUser(email=unique_email(prefix), password="Test-user-pass-1!")
    client.admin_create_user(
        UserPoolId=pool["user_pool_id"],
        Username=user.email,
        MessageAction="SUPPRESS",
        UserAttributes=[
            {"Name": "email", "Value": user.email},
            {"Name": "email_verified", "Value": "true"},
        ],
    )
    client.admin_set_user_password(
        UserPoolId=pool["user_pool_id"],
        Username=user.email,
        Password=user.password,
        Permanent=True,
    )
    return user
