"""The same Alembic migrations go up and down on SQLite and on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect
from sqlmodel import SQLModel

import passkey_app.models  # noqa: F401  (tables on the metadata)
from passkey_app import migrations


def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def _round_trip(url: str) -> None:
    migrations.upgrade(url)
    assert _tables(url) == set(SQLModel.metadata.tables)
    migrations.downgrade(url, "base")
    assert _tables(url) == set()
    migrations.upgrade(url)
    assert _tables(url) == set(SQLModel.metadata.tables)


def _drift(url: str) -> list[object]:
    """What Alembic's autogenerate would change: empty when migrations match the models."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return list(compare_metadata(MigrationContext.configure(connection), SQLModel.metadata))
    finally:
        engine.dispose()


def test_sqlite_up_down_up(tmp_path: Path) -> None:
    _round_trip(f"sqlite:///{tmp_path / 'm.db'}")


def test_sqlite_schema_matches_the_models(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    migrations.upgrade(url)
    assert _drift(url) == []


@pytest.mark.postgres
def test_postgres_up_down_up(postgres_url: str) -> None:
    _round_trip(postgres_url)


@pytest.mark.postgres
def test_postgres_schema_matches_the_models(postgres_url: str) -> None:
    migrations.upgrade(postgres_url)
    engine = create_engine(postgres_url)
    try:
        inspector = inspect(engine)
        for table in SQLModel.metadata.sorted_tables:
            columns = {c["name"] for c in inspector.get_columns(table.name)}
            assert columns == {c.name for c in table.columns}, table.name
        unique = {
            tuple(index["column_names"])
            for index in inspector.get_indexes("browser_session")
            if index["unique"]
        }
        assert {("token_hash",), ("handoff_hash",)} <= unique
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_postgres_passkey_constraints(postgres_url: str) -> None:
    migrations.upgrade(postgres_url)
    assert _drift(postgres_url) == []
    engine = create_engine(postgres_url)
    try:
        inspector = inspect(engine)
        for table, column in [
            ("passkey_credential", "credential_id"),
            ("webauthn_user", "user_handle"),
            ("webauthn_challenge", "handle_hash"),
        ]:
            unique = [i["column_names"] for i in inspector.get_indexes(table) if i["unique"]]
            assert [column] in unique, table
        (foreign_key,) = inspector.get_foreign_keys("passkey_credential")
        assert foreign_key["referred_table"] == "webauthn_user"
        assert foreign_key["options"].get("ondelete") == "CASCADE"
    finally:
        engine.dispose()
