"""A migrated SQLite database, the passkey services on a movable clock, and a software
authenticator to drive them."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from passkey_app import migrations
from passkey_app.db import make_engine, session_scope
from passkey_app.models import PasskeyCredential
from passkey_app.services.webauthn import credential_store
from passkey_app.services.webauthn.ceremonies import PasskeyCeremonies
from passkey_app.services.webauthn.challenges import ChallengeStore
from passkey_app.services.webauthn.relying_party import RelyingParty
from passkey_app.services.webauthn.results import CeremonyStart, NewPasskey, VerifiedLogin
from tests.support.authenticator import DEFAULT_ORIGIN, SoftAuthenticator, SoftCredential

ALICE, BOB = "sub-alice", "sub-bob"


@dataclass
class MovableClock:
    """A clock the test moves by hand."""

    now: datetime = field(default_factory=lambda: datetime(2026, 11, 26, 9, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        """Move time forward."""
        self.now += delta


@dataclass
class PasskeyWorld:
    """The services under test, wired to one database, plus shortcuts for whole ceremonies."""

    engine: Engine
    clock: MovableClock
    rp: RelyingParty
    challenges: ChallengeStore
    ceremonies: PasskeyCeremonies
    authenticator: SoftAuthenticator

    @classmethod
    def build(cls, *, engine: Engine, rp: RelyingParty, clock: MovableClock) -> PasskeyWorld:
        """The passkey services on ``engine`` and a fresh software authenticator."""
        challenges = ChallengeStore(engine, clock=clock)
        return cls(
            engine=engine,
            clock=clock,
            rp=rp,
            challenges=challenges,
            ceremonies=PasskeyCeremonies(engine=engine, rp=rp, challenges=challenges, clock=clock),
            authenticator=SoftAuthenticator(),
        )

    def user_handle(self, user_sub: str) -> str:
        """The user's WebAuthn handle, creating the user row on first use."""
        with session_scope(self.engine) as db:
            user = credential_store.ensure_user(
                db, user_sub=user_sub, username=user_sub.removeprefix("sub-"), at=self.clock()
            )
            return user.user_handle

    def start_registration(self, user_sub: str | None = ALICE) -> CeremonyStart:
        """Registration options for a signed-in user (or sign-up when user_sub is None)."""
        handle = self.user_handle(user_sub) if user_sub else credential_store.new_user_handle()
        return self.ceremonies.registration_options(
            user_handle=handle,
            user_name=f"{user_sub or 'new'}@example.com",
            display_name=f"{user_sub or 'new'}@example.com",
            user_sub=user_sub,
            email=f"{user_sub or 'new'}@example.com",
        )

    def save(self, new: NewPasskey, user_sub: str = ALICE) -> PasskeyCredential:
        """Store a verified passkey the way the account page does."""
        with session_scope(self.engine) as db:
            credential_store.ensure_user(
                db,
                user_sub=user_sub,
                username=user_sub,
                user_handle=new.user_handle,
                at=self.clock(),
            )
            return credential_store.add_passkey(
                db, user_sub=user_sub, new=new, name="My passkey", at=self.clock()
            )

    def register(self, user_sub: str = ALICE, **knobs: Any) -> SoftCredential:
        """A full registration, stored; ``knobs`` go to the authenticator's create()."""
        start = self.start_registration(user_sub)
        credential, response = self.authenticator.create(start.options, **knobs)
        new = self.ceremonies.verify_registration(
            handle=start.handle, response=response, expected_user_sub=user_sub
        )
        self.save(new, user_sub)
        return credential

    def login(
        self, credential: SoftCredential, user_sub: str | None = None, **knobs: Any
    ) -> VerifiedLogin:
        """A full authentication; ``knobs`` go to the authenticator's get()."""
        start = self.ceremonies.authentication_options(user_sub=user_sub)
        response = self.authenticator.get(start.options, credential, **knobs)
        return self.ceremonies.verify_authentication(handle=start.handle, response=response)

    def stored(self, credential: SoftCredential) -> PasskeyCredential:
        """The database row of a registered credential."""
        with session_scope(self.engine) as db:
            found = credential_store.find_credential(db, credential.id)
            assert found is not None
            return found[0]


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head by Alembic, once per test run."""
    path = tmp_path_factory.mktemp("passkeys") / "template.db"
    migrations.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def sqlite_url(tmp_path: Path, migrated_template: Path) -> str:
    """Overrides tests/conftest.py's fixture with the same Alembic-migrated schema, copied
    from a template instead of migrated per test: it keeps this folder fast."""
    path = tmp_path / "app.db"
    shutil.copyfile(migrated_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def engine(sqlite_url: str) -> Iterator[Engine]:
    """An engine on a SQLite database migrated to head by Alembic."""
    built = make_engine(sqlite_url)
    yield built
    built.dispose()


@pytest.fixture
def clock() -> MovableClock:
    """Now, until the test moves it."""
    return MovableClock()


@pytest.fixture
def rp() -> RelyingParty:
    """The embedded default: RP id localhost, the Vite dev server's origin."""
    return RelyingParty(
        rp_id="localhost", rp_name="Passkeys for Cognito", origins=(DEFAULT_ORIGIN,)
    )


@pytest.fixture
def world(engine: Engine, clock: MovableClock, rp: RelyingParty) -> PasskeyWorld:
    """The passkey services and a fresh software authenticator."""
    return PasskeyWorld.build(engine=engine, rp=rp, clock=clock)
