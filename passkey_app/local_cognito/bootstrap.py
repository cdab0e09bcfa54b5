"""First-start work of the local server: the pool, demo users, mail sender, files.

Everything here talks to the running server through boto3, exactly as the app does,
so a pool that exists after a restart is found the same way it was created.
"""

from __future__ import annotations

import importlib
import json
import os
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config

from passkey_app.local_cognito import pool as local_pool
from passkey_app.local_cognito.pool import DemoUser, LocalPool
from passkey_app.local_cognito.triggers import DEFAULT_TRIGGERS, register_trigger

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

REGION = "us-east-1"
CONFIG_FILE = "local-cognito.json"
SENDER_IDENTITY = "no-reply@passkeys.localhost"
# Written by the app on its first start (passkey_app.settings.LOCAL_SECRETS_FILE).
APP_SECRETS_FILE = "secrets.json"
FAKE_AWS_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
}


@dataclass(frozen=True)
class Prepared:
    """The pool the server serves, its demo users, and whether it was just created."""

    pool: LocalPool
    demo_users: list[DemoUser]
    created: bool


def use_fake_aws_credentials() -> None:
    """Point every AWS SDK call of this process at fake credentials, never at AWS."""
    os.environ.update(FAKE_AWS_ENVIRONMENT)
    os.environ.pop("AWS_PROFILE", None)


def prepare(endpoint_url: str) -> Prepared:
    """Find the pool (or provision it and seed demo users) and verify the sender."""
    cognito = _client("cognito-idp", endpoint_url)
    found = find_local_pool(cognito, endpoint_url=endpoint_url)
    if found is None:
        pool = local_pool.provision_local_pool(cognito, endpoint_url=endpoint_url)
        users = local_pool.seed_demo_users(cognito, pool)
    else:
        pool, users = found, existing_demo_users(cognito, found)
    _verify_sender(endpoint_url)
    return Prepared(pool=pool, demo_users=users, created=found is None)


def find_local_pool(
    cognito: CognitoIdentityProviderClient, *, endpoint_url: str | None
) -> LocalPool | None:
    """The pool provisioned on an earlier start, if the loaded state holds it."""
    pools = cognito.list_user_pools(MaxResults=60)["UserPools"]
    pool_id = next((p["Id"] for p in pools if p.get("Name") == local_pool.POOL_NAME), None)
    if pool_id is None:
        return None
    clients = cognito.list_user_pool_clients(UserPoolId=pool_id, MaxResults=60)
    client_id = next(
        (
            c["ClientId"]
            for c in clients["UserPoolClients"]
            if c.get("ClientName") == local_pool.CLIENT_NAME
        ),
        None,
    )
    if client_id is None:
        return None
    described = cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)
    return LocalPool(
        region=REGION,
        user_pool_id=pool_id,
        client_id=client_id,
        client_secret=described["UserPoolClient"]["ClientSecret"],
        endpoint_url=endpoint_url,
    )


def existing_demo_users(cognito: CognitoIdentityProviderClient, pool: LocalPool) -> list[DemoUser]:
    """The demo users still in the pool, noting those who changed their password."""
    users = []
    for demo in local_pool.DEMO_USERS:
        found = cognito.list_users(UserPoolId=pool.user_pool_id, Filter=f'email = "{demo.email}"')
        if not found["Users"]:
            continue
        if demo.temporary and found["Users"][0].get("UserStatus") == "CONFIRMED":
            demo = replace(demo, note="has since chosen her own password")
        users.append(demo)
    return users


def write_pool_file(data_dir: Path, pool: LocalPool) -> Path:
    """Write ``local-cognito.json`` (mode 0600: it holds the client secret)."""
    path = data_dir / CONFIG_FILE
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(asdict(pool), handle, indent=2)
    os.replace(tmp, path)
    return path


def format_banner(prepared: Prepared, *, state_path: Path, config_path: Path) -> str:
    """What the console shows once the server is ready (demo passwords, no secrets)."""
    pool = prepared.pool
    lines = [
        f"Local Cognito ready at {pool.endpoint_url}",
        f"  user pool {pool.user_pool_id} ({'created' if prepared.created else 'restored'})",
        f"  app client {pool.client_id}; settings for the app in {config_path}",
        f"  state kept in {state_path}",
        "  demo users (demo-only passwords):",
    ]
    width = max((len(user.email) for user in prepared.demo_users), default=0)
    for user in prepared.demo_users:
        lines.append(f"    {user.email:<{width}}  {user.password:<20}  {user.note}")
    return "\n".join(lines)


class TriggerEnvironment:
    """Gives the in-process triggers their configuration when no launcher did.

    ``ALLOWED_CLIENT_IDS`` defaults to the local app client. Without ``PROOF_KEYS``
    in the environment, the keys come from the app's ``secrets.json`` in the data
    folder, re-read whenever that file changes (the app writes it on first start).
    """

    def __init__(self, data_dir: Path, pool: LocalPool) -> None:
        self._secrets_path = data_dir / APP_SECRETS_FILE
        self._managed = "PROOF_KEYS" not in os.environ
        self._seen: float | None = None
        self._lock = threading.Lock()
        os.environ.setdefault("ALLOWED_CLIENT_IDS", pool.client_id)

    def describe(self) -> str:
        """Where the triggers' proof keys come from, for the console."""
        if not self._managed:
            return "  custom-auth proof keys: from $PROOF_KEYS"
        state = "" if self._secrets_path.exists() else " (the app writes it on its first start)"
        return f"  custom-auth proof keys: from {self._secrets_path}{state}"

    def install(self) -> None:
        """Register the default triggers behind this environment check."""
        for function_name, module_name in DEFAULT_TRIGGERS.items():
            register_trigger(function_name, self._wrap(module_name))

    def refresh(self) -> None:
        """Load the proof keys from the app's secrets file if it changed."""
        if not self._managed:
            return
        with self._lock:
            try:
                mtime = self._secrets_path.stat().st_mtime
            except FileNotFoundError:
                return
            if mtime == self._seen:
                return
            stored = json.loads(self._secrets_path.read_text())
            os.environ["PROOF_KEYS"] = stored["proof_keys"]
            os.environ["PROOF_ACTIVE_KEY_ID"] = stored["proof_active_key_id"]
            self._seen = mtime
            importlib.import_module("lambdas.config").get_config.cache_clear()

    def _wrap(self, module_name: str) -> Callable[[dict[str, Any], Any], Any]:
        def handler(event: dict[str, Any], context: Any) -> Any:
            self.refresh()
            return importlib.import_module(module_name).handler(event, context)

        return handler


def _verify_sender(endpoint_url: str) -> None:
    """Verify the mail sender in SES and SESv2 (moto's SESv2 shares SES's identities)."""
    _client("ses", endpoint_url).verify_email_identity(EmailAddress=SENDER_IDENTITY)
    sesv2 = _client("sesv2", endpoint_url)
    try:
        sesv2.get_email_identity(EmailIdentity=SENDER_IDENTITY)
    except sesv2.exceptions.NotFoundException:
        sesv2.create_email_identity(EmailIdentity=SENDER_IDENTITY)


def _client(service: str, endpoint_url: str) -> Any:
    return boto3.client(
        service,  # type: ignore[call-overload]
        region_name=REGION,
        endpoint_url=endpoint_url,
        config=Config(retries={"max_attempts": 1}),
    )
