"""`make seed`: users created with several calls in flight, rows written a batch at a time,
progress heard for every user, and a second run skipping who is already there."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from rich.console import Console
from sqlmodel import func, select

from passkey_app.db import session_scope
from passkey_app.dev.progress import seed_progress
from passkey_app.dev.seed import plan_users, seed
from passkey_app.models import AuditEvent, PasskeyCredential, UserLastLogin
from passkey_app.services.container import Services
from tests.conftest import CognitoFixture

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def _count(services: Services, model: type) -> int:
    with session_scope(services.engine) as db:
        return int(db.exec(select(func.count()).select_from(model)).one())


def test_seed_writes_every_batch_and_reports_each_user(
    services: Services, cognito: CognitoFixture
) -> None:
    heard: list[int] = []
    report = seed(
        client=cognito.client,
        user_pool_id=cognito.pool.user_pool_id,
        engine=services.engine,
        users=30,
        now=NOW,
        progress=heard.append,
    )
    planned = plan_users(30, now=NOW)
    assert heard == list(range(1, 31))
    assert (report.created, report.skipped) == (30, 0)
    assert (
        report.passkeys
        == sum(len(u.passkeys) for u in planned)
        == _count(services, PasskeyCredential)
    )
    assert report.events == _count(services, AuditEvent)
    signed_in = {u.email for u in planned if any(o == "success" for _, _, o in u.logins)}
    assert _count(services, UserLastLogin) == len(signed_in)

    again = seed(
        client=cognito.client,
        user_pool_id=cognito.pool.user_pool_id,
        engine=services.engine,
        users=30,
        now=NOW,
    )
    assert (again.created, again.skipped, again.events) == (0, 30, 0)
    assert _count(services, AuditEvent) == report.events


def test_the_progress_bar_shows_counts_and_time_left() -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=120)
    with seed_progress(200, console=console) as advance:
        for done in range(1, 201):
            advance(done)
    text = out.getvalue()
    assert "200/200" in text and "100%" in text and "left" in text
