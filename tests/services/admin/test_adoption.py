"""Adoption figures and last logins read from the counts kept as sign-ins happen: exact
after a known sequence of real sign-ins, equal to what the audit log says after a seed,
and filled from an existing log by the migration."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert
from sqlmodel import select

from passkey_app import migrations
from passkey_app.db import make_engine, session_scope
from passkey_app.dev.seed import _rows, plan_users, write_rows
from passkey_app.models import AuditEvent, LoginDay, UserLastLogin
from passkey_app.services.admin.service import AdminService
from passkey_app.services.audit import LOGIN_EVENT_METHODS
from passkey_app.services.container import Services
from passkey_app.services.errors import AuthError
from passkey_app.services.magic_links.store import LinkPurpose
from passkey_app.services.sessions.store import SignedInUser
from tests.conftest import CognitoFixture
from tests.services.flows import CLIENT, session_of, sign_up
from tests.services.magic_links.support import MovableClock, build_links, sent_mail, verify_sender
from tests.support.authenticator import SoftAuthenticator

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
ALICE, BOB, PAT = "alice@example.com", "bob@example.com", "pat@example.com"


def _admin(now: datetime) -> SignedInUser:
    return SignedInUser(
        sub="sub-admin",
        username="admin@example.com",
        email="admin@example.com",
        groups=("admin",),
        auth_method="password",
        authenticated_at=now,
        session_created_at=now,
        session_expires_at=now + timedelta(hours=1),
        idle_expires_at=now + timedelta(hours=1),
    )


def _password(services: Services, cognito: CognitoFixture, email: str, password: str = "") -> None:
    services.password_login.login(
        email=email, password=password or cognito.user(email).password, client=CLIENT
    )


def test_a_known_sequence_of_sign_ins_gives_exact_figures_and_emails(
    services: Services, cognito: CognitoFixture
) -> None:
    _password(services, cognito, ALICE)
    _password(services, cognito, ALICE)
    with pytest.raises(AuthError):
        _password(services, cognito, BOB, "Not-the-password-1!")
    device = SoftAuthenticator()
    sign_up(services, device, PAT)  # a sign-up is not a sign-in
    ceremony = services.passkey_login.discoverable_options(client=CLIENT)
    login = services.passkey_login.finish(
        handle=ceremony.handle, response=device.get(ceremony.options), client=CLIENT
    )
    _, pat = session_of(services, login)
    verify_sender()
    links = build_links(services, MovableClock())
    links.request(email=BOB, purpose=LinkPurpose.LOGIN, binding="b" * 40, client=CLIENT)
    token = sent_mail()[-1].body.split("token=")[1].split('"')[0]
    links.redeem(token=token, binding="b" * 40, confirmed=False, client=CLIENT)

    now = datetime.now(UTC)
    numbers = services.admin.adoption(_admin(now), days=7)
    assert (numbers.active.active, numbers.active.with_passkey) == (3, 1)
    today = numbers.logins[-1]
    assert (today.day, today.passkey, today.password, today.magic_link) == (
        now.date().isoformat(),
        1,
        2,
        1,
    )
    assert sum(d.passkey + d.password + d.magic_link for d in numbers.logins[:-1]) == 0
    users = {row.email: row for row in services.admin.list_users(_admin(now)).users}
    assert {email: users[email].last_login_method for email in (ALICE, BOB, PAT)} == {
        ALICE: "password",
        BOB: "magic_link",
        PAT: "passkey",
    }
    rows, _ = services.admin.audit_log(_admin(now), event_type="login.passkey")
    assert [(row.user_sub, row.email, row.outcome) for row in rows] == [(pat.sub, PAT, "success")]
    with session_scope(services.engine) as db:  # recorded with the row, not only looked up
        stored = db.exec(
            select(AuditEvent.email).where(AuditEvent.event_type == "login.passkey")
        ).all()
    assert stored == [PAT]


def test_rows_written_without_an_email_show_the_one_the_log_knows(services: Services) -> None:
    with session_scope(services.engine) as db:
        db.execute(
            insert(AuditEvent),
            [
                _event(NOW - timedelta(hours=2), "session.start", "sub-kim", "kim@example.org"),
                _event(NOW - timedelta(hours=1), "login.passkey", "sub-kim", None),
                _event(NOW, "login.passkey", "sub-lee", None),
            ],
        )
    rows, _ = services.admin.audit_log(_admin(NOW))
    assert [(row.user_sub, row.email) for row in rows] == [
        ("sub-lee", None),
        ("sub-kim", "kim@example.org"),
        ("sub-kim", "kim@example.org"),
    ]


def _event(at: datetime, event_type: str, sub: str, email: str | None) -> dict[str, object]:
    return {
        "occurred_at": at,
        "event_type": event_type,
        "outcome": "success",
        "user_sub": sub,
        "email": email,
        "ip_address": "",
        "user_agent": "",
        "detail": "",
    }


def _from_the_log(engine_rows: list[tuple[str, str, str, str, datetime]]) -> tuple[Counter, dict]:
    methods = {t.value: m for t, m in LOGIN_EVENT_METHODS.items()}
    days: Counter[tuple[date, str]] = Counter()
    newest: dict[str, tuple[datetime, str]] = {}
    for event_type, outcome, sub, _, at in engine_rows:
        if event_type not in methods or outcome != "success" or not sub:
            continue
        at = at.replace(tzinfo=UTC) if at.tzinfo is None else at
        days[(at.date(), methods[event_type])] += 1
        if sub not in newest or at >= newest[sub][0]:
            newest[sub] = (at, methods[event_type])
    return days, newest


def _kept(url: str) -> tuple[Counter, dict]:
    engine = make_engine(url)
    with session_scope(engine) as db:
        days = Counter({(r.day, r.method): r.count for r in db.exec(select(LoginDay)).all()})
        newest = {
            r.user_sub: (r.at.replace(tzinfo=UTC), r.method)
            for r in db.exec(select(UserLastLogin)).all()
        }
        log = db.exec(
            select(
                AuditEvent.event_type,
                AuditEvent.outcome,
                AuditEvent.user_sub,
                AuditEvent.email,
                AuditEvent.occurred_at,
            )
        ).all()
    engine.dispose()
    assert (days, newest) == _from_the_log([tuple(row) for row in log])  # type: ignore[misc]
    return days, newest


def _planned(count: int) -> list:
    users = plan_users(count, now=NOW)
    for n, user in enumerate(users):
        user.sub = f"sub-{n:05d}"
    return users


def test_a_seed_keeps_the_same_counts_the_log_gives(services: Services) -> None:
    write_rows(services.engine, _planned(300))
    days, newest = _kept(str(services.engine.url))
    assert sum(days.values()) > 1000 and len(newest) > 250
    numbers = AdminService(
        engine=services.engine, directory=services.admin._directory, clock=lambda: NOW
    ).adoption(_admin(NOW), days=30)
    since = (NOW - timedelta(days=29)).date()
    assert numbers.active.active == sum(at.date() >= since for at, _ in newest.values())
    assert [d.passkey for d in numbers.logins] == [
        days[(since + timedelta(days=n), "passkey")] for n in range(30)
    ]


def test_the_migration_counts_an_existing_log(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    migrations.upgrade(url, "0004")
    _, _, events = _rows(_planned(200))
    engine = make_engine(url)
    with session_scope(engine) as db:
        db.execute(insert(AuditEvent), events)
    engine.dispose()
    migrations.upgrade(url)
    days, newest = _kept(url)
    assert sum(days.values()) > 700 and len(newest) > 150
