"""The same ceremonies against PostgreSQL, migrated by Alembic (required in CI)."""

from __future__ import annotations

import pytest

from passkey_app import migrations
from passkey_app.db import make_engine
from passkey_app.services.webauthn.errors import PasskeyRejectedError, RejectReason
from passkey_app.services.webauthn.relying_party import RelyingParty
from tests.services.webauthn.conftest import ALICE, MovableClock, PasskeyWorld
from tests.support.keys import EDDSA


@pytest.fixture
def migrated_postgres_url(postgres_url: str) -> str:
    """The shared throwaway PostgreSQL database, migrated to head."""
    migrations.upgrade(postgres_url)
    return postgres_url


@pytest.mark.postgres
def test_register_and_authenticate_on_postgres(
    migrated_postgres_url: str, rp: RelyingParty
) -> None:
    engine = make_engine(migrated_postgres_url)
    world = PasskeyWorld.build(engine=engine, rp=rp, clock=MovableClock())
    try:
        credential = world.register(algorithm=EDDSA, credential_id=b"\xee" * 1023, be=True)
        login = world.login(credential, sign_count=2**32 - 1)
        assert (login.user_sub, login.new_sign_count) == (ALICE, 2**32 - 1)
        row = world.stored(credential)
        assert (row.sign_count, row.last_used_at) == (2**32 - 1, world.clock.now)
        with pytest.raises(PasskeyRejectedError) as caught:
            world.login(credential, sign_count=5)
        assert caught.value.reason is RejectReason.COUNTER_REGRESSION
        with pytest.raises(PasskeyRejectedError) as caught:
            world.register(credential_id=credential.credential_id)
        assert caught.value.reason is RejectReason.CREDENTIAL_EXISTS
        assert world.challenges.purge_expired() == 0
    finally:
        engine.dispose()
