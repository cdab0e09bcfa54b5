"""Shared fixtures: a real moto Cognito pool with our CUSTOM_AUTH extension, a migrated
database and the app's services wired against them."""

from __future__ import annotations

import base64
import json
import os
import secrets
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
import redis
from cryptography.fernet import Fernet
from moto import mock_aws
from pydantic import SecretStr
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from lambdas.config import get_config
from passkey_app import migrations
from passkey_app.local_cognito.extension import install
from passkey_app.local_cognito.pool import (
    DemoUser,
    LocalPool,
    provision_local_pool,
    seed_demo_users,
)
from passkey_app.services.background import run_now
from passkey_app.services.container import Services, build_services
from passkey_app.settings import Settings

PROOF_KEY_ID = "test-1"


@dataclass(frozen=True)
class CognitoFixture:
    """A provisioned moto pool and the boto3 client that reaches it."""

    client: Any
    pool: LocalPool
    users: dict[str, DemoUser]

    def user(self, email: str) -> DemoUser:
        """A seeded demo user by email."""
        return self.users[email]


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@pytest.fixture
def proof_keys_json() -> str:
    """A fresh proof key ring for the app and the triggers alike."""
    return json.dumps({PROOF_KEY_ID: _b64url(secrets.token_bytes(32))})


@pytest.fixture
def cognito(monkeypatch: pytest.MonkeyPatch, proof_keys_json: str) -> Iterator[CognitoFixture]:
    """moto cognito-idp with the extension, our pool, the demo users and trigger config."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        install()
        client = boto3.client("cognito-idp", region_name="us-east-1")
        pool = provision_local_pool(client)
        users = seed_demo_users(client, pool)
        monkeypatch.setenv("PROOF_KEYS", proof_keys_json)
        monkeypatch.setenv("PROOF_ACTIVE_KEY_ID", PROOF_KEY_ID)
        monkeypatch.setenv("ALLOWED_CLIENT_IDS", pool.client_id)
        get_config.cache_clear()
        yield CognitoFixture(client=client, pool=pool, users={u.email: u for u in users})
    get_config.cache_clear()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A SQLite database migrated to head by Alembic (never create_all)."""
    url = f"sqlite:///{tmp_path / 'app.db'}"
    migrations.upgrade(url)
    return url


@pytest.fixture
def settings(
    tmp_path: Path, cognito: CognitoFixture, sqlite_url: str, proof_keys_json: str
) -> Settings:
    """Settings for a test: explicit pool, fresh secrets, nothing read from the machine."""
    return Settings(
        mode="embedded",
        data_dir=tmp_path,
        database_url=sqlite_url,
        aws_region=cognito.pool.region,
        user_pool_id=cognito.pool.user_pool_id,
        client_id=cognito.pool.client_id,
        client_secret=SecretStr(cognito.pool.client_secret),
        proof_keys=SecretStr(proof_keys_json),
        proof_active_key_id=PROOF_KEY_ID,
        session_keys=SecretStr(Fernet.generate_key().decode()),
    )


@pytest.fixture
def services(settings: Settings) -> Services:
    """The real service graph against moto and the test database; background work (mail)
    runs at once, so a test sees its outcome."""
    built = build_services(settings, runner=run_now)
    yield built
    built.engine.dispose()


@pytest.fixture
def no_retries(settings: Settings) -> Iterator[Services]:
    """``services`` whose Cognito calls are made once (botocore retries nothing): a
    refusal over a quota reaches the app as it is."""
    built = build_services(settings.model_copy(update={"cognito_max_attempts": 1}), runner=run_now)
    yield built
    built.engine.dispose()


POSTGRES_URL = os.environ.get(
    "PASSKEY_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def throwaway_database(prefix: str) -> Iterator[str]:
    """The URL of a new, empty database on the machine's PostgreSQL (required in CI),
    dropped when the generator is closed. Fixtures of any scope ``yield from`` it."""
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:
        admin.dispose()
        require_service("PostgreSQL", error)
    yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A throwaway, empty database for one test, dropped afterwards; tests migrate it
    themselves."""
    yield from throwaway_database("passkey_test")


def emptied_redis(url: str) -> Iterator[str]:
    """``url`` (a Redis DB number of its own), flushed now and again when the generator
    ends or is closed; a missing server fails in CI. Fixtures ``yield from`` it, or take
    ``next`` and ``close`` it."""
    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
    except redis.RedisError as error:
        client.close()
        require_service("Redis", error)
    try:
        yield url
    finally:
        client.flushdb()
        client.close()


def require_service(name: str, error: Exception) -> None:
    """In CI the PostgreSQL and Redis tests must run: a missing server fails, never skips."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{name} is required in CI but unreachable: {error}")
    pytest.skip(f"{name} unreachable: {error}")
