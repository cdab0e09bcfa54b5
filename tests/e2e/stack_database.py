"""The test stack's own database, for what a browser test sets up or ends behind the
page's back (a sign-in made older, a session ended on the server)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import update
from sqlmodel import Session

from passkey_app.db import make_engine, session_scope
from passkey_app.models import BrowserSession


@contextmanager
def stack_database(data_dir: Path) -> Iterator[Session]:
    """A unit of work on the stack's SQLite database (the stack in ``data_dir``)."""
    engine = make_engine(f"sqlite:///{data_dir / 'passkeys.db'}")
    try:
        with session_scope(engine) as db:
            yield db
    finally:
        engine.dispose()


def age_logins(data_dir: Path, email: str, minutes: int) -> None:
    """Move a person's sign-in time back, as if they had signed in ``minutes`` ago."""
    with stack_database(data_dir) as db:
        db.execute(
            update(BrowserSession)
            .where(BrowserSession.email == email)  # type: ignore[arg-type]
            .values(authenticated_at=datetime.now(UTC) - timedelta(minutes=minutes))
        )
