"""PostgreSQL drops the app's connections in the middle of a passkey sign-in (only this
test's own database: ``pg_terminate_backend`` of its sessions, never a server restart)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, event, func, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import select

from passkey_app import migrations
from passkey_app.db import session_scope
from passkey_app.models import BrowserSession
from passkey_app.services.background import run_now
from passkey_app.services.container import Services, build_services
from passkey_app.services.passkeys.login import PasskeyStep
from passkey_app.settings import Settings
from tests.conftest import CognitoFixture
from tests.services.flows import CLIENT, session_of, sign_up
from tests.support.authenticator import SoftAuthenticator

pytestmark = pytest.mark.postgres

EMAIL = "pg-fault@example.com"
TERMINATE_OTHERS = (
    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
)


@pytest.fixture
def pg_services(
    settings: Settings, postgres_url: str, cognito: CognitoFixture, tmp_path: Path
) -> Iterator[Services]:
    """The real services on a fresh PostgreSQL database (the moto pool for Cognito)."""
    migrations.upgrade(postgres_url)
    on_postgres = settings.model_copy(update={"database_url": postgres_url})
    built = build_services(on_postgres, runner=run_now)
    yield built
    built.engine.dispose()


@pytest.fixture
def killer(postgres_url: str) -> Iterator[Engine]:
    """A connection of its own to the test database, to terminate the app's."""
    engine = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    yield engine
    engine.dispose()


def _terminate_others(killer: Engine) -> int:
    with killer.connect() as connection:
        return int(connection.execute(text(TERMINATE_OTHERS)).scalar_one())


def _sessions(services: Services) -> int:
    with session_scope(services.engine) as db:
        return int(db.exec(select(func.count()).select_from(BrowserSession)).one())


def _passkey_options(services: Services) -> PasskeyStep:
    step = services.passkey_login.step_for_email(email=EMAIL, client=CLIENT)
    assert isinstance(step, PasskeyStep)
    return step


def test_connections_dropped_between_options_and_finish_the_sign_in_still_finishes(
    pg_services: Services, killer: Engine
) -> None:
    device = SoftAuthenticator()
    sign_up(pg_services, device, EMAIL)
    step = _passkey_options(pg_services)
    assert _terminate_others(killer) >= 1  # the app's pooled connections

    login = pg_services.passkey_login.finish(
        handle=step.ceremony.handle, response=device.get(step.ceremony.options), client=CLIENT
    )

    _, person = session_of(pg_services, login)
    assert person.email == EMAIL and person.auth_method == "passkey"
    assert _sessions(pg_services) == 2  # the sign-up's and this one


def test_connection_dropped_inside_the_session_write_fails_whole_and_the_retry_works(
    pg_services: Services, killer: Engine
) -> None:
    device = SoftAuthenticator()
    sign_up(pg_services, device, EMAIL)
    before = _sessions(pg_services)
    step = _passkey_options(pg_services)
    dropped: list[int] = []

    def drop_mid_write(connection: Any, _cursor: Any, statement: str, *_: object) -> None:
        if statement.startswith("INSERT INTO browser_session") and not dropped:
            pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
            with killer.connect() as other:
                other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            dropped.append(pid)

    event.listen(pg_services.engine, "before_cursor_execute", drop_mid_write)
    try:
        with pytest.raises(OperationalError) as raised:
            pg_services.passkey_login.finish(
                handle=step.ceremony.handle,
                response=device.get(step.ceremony.options),
                client=CLIENT,
            )
    finally:
        event.remove(pg_services.engine, "before_cursor_execute", drop_mid_write)

    assert dropped and raised.value.connection_invalidated
    assert _sessions(pg_services) == before  # nothing half-written
    step = _passkey_options(pg_services)  # a new attempt, on a new connection
    login = pg_services.passkey_login.finish(
        handle=step.ceremony.handle, response=device.get(step.ceremony.options), client=CLIENT
    )
    assert session_of(pg_services, login)[1].email == EMAIL
    assert _sessions(pg_services) == before + 1
