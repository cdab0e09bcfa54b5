"""One validated Settings object, read from the environment (prefix ``PASSKEY_``).

The embedded default needs no configuration at all: the local Cognito stand-in
writes its pool description to the data folder and the secrets are generated on
first start. Production refuses missing or placeholder secrets and says which.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PLACEHOLDER_MARKERS = ("change-me", "changeme", "placeholder", "example", "secret", "xxx", "todo")
LOCAL_COGNITO_FILE = "local-cognito.json"
LOCAL_SECRETS_FILE = "secrets.json"


_UPSTREAM_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")


def parse_upstreams(raw: Mapping[str, str]) -> dict[str, str]:
    """Validated upstreams: lowercase names, absolute http(s) base URLs without query or
    fragment (plain http only for loopback hosts). A bad entry is a ValueError naming it."""
    upstreams: dict[str, str] = {}
    for name, url in raw.items():
        if not _UPSTREAM_NAME.match(name):
            raise ValueError(f"upstream name {name!r}: use a-z, 0-9 and '-', at most 40")
        parts = urlsplit(url)
        loopback = parts.hostname in {"localhost", "127.0.0.1", "::1"}
        if parts.scheme not in ("https", "http") or not parts.netloc:
            raise ValueError(f"upstream {name!r} must be an absolute https URL")
        if parts.scheme == "http" and not loopback:
            raise ValueError(f"upstream {name!r} must use https (http only on loopback)")
        if parts.query or parts.fragment:
            raise ValueError(f"upstream {name!r} must not have a query or fragment")
        upstreams[name] = url.rstrip("/")
    return upstreams


class SettingsError(ValueError):
    """The configuration cannot run: the message names the setting at fault."""


class Settings(BaseSettings):
    """Every knob of the app. Services receive it explicitly; tests build their own."""

    model_config = SettingsConfigDict(env_prefix="PASSKEY_", extra="ignore")

    mode: Literal["embedded", "production"] = "embedded"
    data_dir: Path = Path(".local")
    database_url: str | None = None

    aws_region: str = "us-east-1"
    cognito_endpoint_url: str | None = None
    user_pool_id: str | None = None
    client_id: str | None = None
    client_secret: SecretStr | None = None
    cognito_max_attempts: int = Field(
        default=3,
        ge=1,
        le=10,
        description=(
            "Tries per Cognito call, the first included (botocore's standard retry mode); "
            "past them a throttled call says the service is busy. 1 turns retries off."
        ),
    )

    proof_keys: SecretStr | None = Field(
        default=None, description='JSON object {"key id": "base64url key"}'
    )
    proof_active_key_id: str | None = None
    session_keys: SecretStr | None = Field(
        default=None, description="Comma-separated Fernet keys, newest first (rotation)."
    )

    rp_id: str = "localhost"
    rp_name: str = "Passkeys for Cognito"
    frontend_url: str = "http://localhost:3000"
    api_url: str = "http://localhost:8000"
    allowed_origins: Annotated[list[str], NoDecode] = ["http://localhost:3000"]
    webauthn_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Exact origins accepted in WebAuthn client data; empty means frontend_url.",
    )

    signup_marks_email_verified: bool = Field(
        default=False,
        description="Passkey sign-ups get email_verified=true (only if mail is checked upstream).",
    )
    mail_sender: str = Field(
        default="no-reply@passkeys.localhost",
        description="Verified SES identity that sign-in links are sent from.",
    )
    ses_endpoint_url: str | None = Field(
        default=None, description="SES endpoint; empty means AWS (or the local stand-in)."
    )
    magic_links_refused_for_passkey_users: bool = Field(
        default=False,
        description="People who have passkeys get no email links (silently, same answer).",
    )
    api_upstreams: dict[str, str] = Field(
        default_factory=dict,
        description='The team\'s APIs by name, JSON {"orders": "https://api.example.com/v1"}.',
    )
    example_upstream: str | None = Field(
        default=None,
        description="Name of an upstream with /orders: shows the example page /examples/orders.",
    )
    session_lifetime_hours: int = Field(default=24 * 7, ge=1, le=24 * 30)
    session_idle_minutes: int = Field(
        default=12 * 60, ge=5, le=24 * 30 * 60, description="A session unused this long ends."
    )
    session_revalidate_seconds: int = Field(
        default=300,
        ge=30,
        le=300,
        description="How often Cognito is asked whether a session's refresh token still works.",
    )
    provisional_account_days: int = Field(
        default=7,
        ge=1,
        le=90,
        description="A passkey sign-up whose address nobody confirms is deleted after this.",
    )
    handoff_lifetime_seconds: int = Field(default=60, ge=5, le=300)
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description=(
            "Comma-separated addresses or CIDRs of the reverse proxies in front of the app; "
            "X-Forwarded-For is believed only as far as it was written by these. Empty: never."
        ),
    )

    @field_validator("allowed_origins", "webauthn_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @field_validator("allowed_origins", "webauthn_origins")
    @classmethod
    def _exact_origins(cls, value: list[str]) -> list[str]:
        for origin in value:
            parts = urlsplit(origin)
            if parts.scheme not in ("http", "https") or not parts.netloc or parts.path:
                raise ValueError(f"allowed origin {origin!r} must be scheme://host[:port]")
        return value

    @field_validator("api_upstreams")
    @classmethod
    def _valid_upstreams(cls, value: dict[str, str]) -> dict[str, str]:
        return parse_upstreams(value)

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split_proxies(cls, value: object) -> object:
        if isinstance(value, str):
            return [network.strip() for network in value.split(",") if network.strip()]
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _proxy_networks(cls, value: list[str]) -> list[str]:
        normalized = []
        for network in value:
            try:
                normalized.append(str(ipaddress.ip_network(network, strict=False)))
            except ValueError:
                raise ValueError(f"trusted proxy {network!r} must be an address or CIDR") from None
        return normalized

    @property
    def trusted_proxy_networks(self) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
        """The trusted proxies as networks, for the client-address walk."""
        return tuple(ipaddress.ip_network(network) for network in self.trusted_proxies)

    @property
    def cookie_secure(self) -> bool:
        """Cookies are Secure whenever the app is served over https."""
        return urlsplit(self.frontend_url).scheme == "https"

    @property
    def session_cookie_name(self) -> str:
        """``__Host-`` prefix on https: no Domain, Path=/ and Secure are then enforced."""
        return "__Host-passkey_session" if self.cookie_secure else "passkey_session"

    @property
    def effective_database_url(self) -> str:
        """The configured URL, or a SQLite file in the data folder."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'passkeys.db').resolve()}"


@dataclass(frozen=True)
class PoolSettings:
    """What the services need to talk to one user pool."""

    region: str
    user_pool_id: str
    client_id: str
    client_secret: str
    endpoint_url: str | None

    @property
    def issuer(self) -> str:
        """Tokens name this issuer whether served by AWS or the local stand-in."""
        return f"https://cognito-idp.{self.region}.amazonaws.com/{self.user_pool_id}"

    @property
    def jwks_url(self) -> str:
        """Where the pool publishes its signing keys."""
        if self.endpoint_url:
            return f"{self.endpoint_url.rstrip('/')}/{self.user_pool_id}/.well-known/jwks.json"
        return f"{self.issuer}/.well-known/jwks.json"


def pool_settings(settings: Settings) -> PoolSettings:
    """The pool from settings; in the embedded default, from the local stand-in's file."""
    if settings.mode == "embedded" and not settings.user_pool_id:
        path = settings.data_dir / LOCAL_COGNITO_FILE
        if not path.exists():
            raise SettingsError(
                f"{path} is missing: start the local Cognito first (make run does it)"
            )
        local = json.loads(path.read_text())
        return PoolSettings(
            region=local["region"],
            user_pool_id=local["user_pool_id"],
            client_id=local["client_id"],
            client_secret=local["client_secret"],
            endpoint_url=local["endpoint_url"],
        )
    missing = [
        name
        for name, value in (
            ("PASSKEY_USER_POOL_ID", settings.user_pool_id),
            ("PASSKEY_CLIENT_ID", settings.client_id),
            ("PASSKEY_CLIENT_SECRET", settings.client_secret),
        )
        if not value
    ]
    if missing:
        raise SettingsError(f"{', '.join(missing)} must be set")
    assert settings.user_pool_id and settings.client_id and settings.client_secret
    return PoolSettings(
        region=settings.aws_region,
        user_pool_id=settings.user_pool_id,
        client_id=settings.client_id,
        client_secret=settings.client_secret.get_secret_value(),
        endpoint_url=settings.cognito_endpoint_url,
    )


def _new_proof_keys() -> str:
    key = base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()
    return json.dumps({"local-1": key})


def _new_session_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def ensure_embedded_secrets(settings: Settings) -> Settings:
    """Fill unset secrets from the data folder, generating them on first start."""
    if settings.mode != "embedded":
        return settings
    path = settings.data_dir / LOCAL_SECRETS_FILE
    if path.exists():
        stored = json.loads(path.read_text())
    else:
        stored = {
            "proof_keys": _new_proof_keys(),
            "proof_active_key_id": "local-1",
            "session_keys": _new_session_key(),
        }
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(stored, handle)
    updates: dict[str, object] = {}
    if settings.proof_keys is None:
        updates["proof_keys"] = SecretStr(stored["proof_keys"])
        updates["proof_active_key_id"] = stored["proof_active_key_id"]
    if settings.session_keys is None:
        updates["session_keys"] = SecretStr(stored["session_keys"])
    return settings.model_copy(update=updates)


def _looks_like_placeholder(value: str) -> bool:
    lowered = value.lower()
    return len(value) < 16 or any(marker in lowered for marker in PLACEHOLDER_MARKERS)


def check_production(settings: Settings) -> None:
    """Refuse to run in production with a missing or placeholder secret; name it."""
    if settings.mode != "production":
        return
    secret_values = {
        "PASSKEY_CLIENT_SECRET": settings.client_secret,
        "PASSKEY_PROOF_KEYS": settings.proof_keys,
        "PASSKEY_SESSION_KEYS": settings.session_keys,
    }
    for name, secret in secret_values.items():
        if secret is None or not secret.get_secret_value():
            raise SettingsError(f"{name} must be set in production")
        if name != "PASSKEY_PROOF_KEYS" and _looks_like_placeholder(secret.get_secret_value()):
            raise SettingsError(f"{name} looks like a placeholder; set a real secret")
    if settings.proof_keys is not None:
        try:
            keys = json.loads(settings.proof_keys.get_secret_value())
        except ValueError as error:
            raise SettingsError("PASSKEY_PROOF_KEYS must be a JSON object") from error
        if not isinstance(keys, dict) or not keys:
            raise SettingsError("PASSKEY_PROOF_KEYS must be a non-empty JSON object")
        for value in keys.values():
            if not isinstance(value, str) or _looks_like_placeholder(value):
                raise SettingsError("PASSKEY_PROOF_KEYS holds a placeholder key; set a real one")
    if not settings.proof_active_key_id:
        raise SettingsError("PASSKEY_PROOF_ACTIVE_KEY_ID must be set in production")
    if not settings.database_url:
        raise SettingsError("PASSKEY_DATABASE_URL must be set in production")
    pool_settings(settings)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, validated once."""
    settings = ensure_embedded_secrets(Settings())
    check_production(settings)
    return settings
