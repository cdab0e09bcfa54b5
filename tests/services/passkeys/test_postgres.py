"""The same ceremonies against PostgreSQL, migrated by Alembic (required in CI)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from passkey_app import migrations
from passkey_app.db import make_engine
from passkey_app.services.passkeys.errors import PasskeyRejected, RejectReason
from passkey_app.services.passkeys.relying_party import RelyingParty
from tests.conftest import require_service
from tests.services.passkeys.conftest import ALICE, MovableClock, PasskeyWorld
from tests.support.keys import EDDSA

POSTGRES_URL = os.environ.get(
    "PASSKEY_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A throwaway database on the machine's PostgreSQL server, migrated to head."""
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    name = f"passkey_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:
        admin.dispose()
        require_service("PostgreSQL", error)
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    migrations.upgrade(url)
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.mark.postgres
def test_register_and_authenticate_on_postgres(postgres_url: str, rp: RelyingParty) -> None:
    engine = make_engine(postgres_url)
    world = PasskeyWorld.build(engine=engine, rp=rp, clock=MovableClock())
    try:
        credential = world.register(algorithm=EDDSA, credential_id=b"\xee" * 1023, be=True)
        login = world.login(credential, sign_count=2**32 - 1)
        assert (login.user_sub, login.new_sign_count) == (ALICE, 2**32 - 1)
        row = world.stored(credential)
        assert (row.sign_count, row.last_used_at) == (2**32 - 1, world.clock.now)
        with pytest.raises(PasskeyRejected) as caught:
            world.login(credential, sign_count=5)
        assert caught.value.reason is RejectReason.COUNTER_REGRESSION
        with pytest.raises(PasskeyRejected) as caught:
            world.register(credential_id=credential.credential_id)
        assert caught.value.reason is RejectReason.CREDENTIAL_EXISTS
        assert world.challenges.purge_expired() == 0
    finally:
        engine.dispose()
