"""The admin service against a moto pool: who may call it, the joins, the actions."""

from __future__ import annotations

import ast
import inspect
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from passkey_app.db import session_scope
from passkey_app.dev.seed import PlannedPasskey, PlannedUser, plan_users, write_rows
from passkey_app.models import AuditEvent, BrowserSession
from passkey_app.services.admin.errors import AdminError, AdminFailure
from passkey_app.services.admin.service import AdminService
from passkey_app.services.container import Services
from passkey_app.services.password.login import NewPasswordNeeded
from passkey_app.services.sessions.store import SignedInUser
from tests.conftest import CognitoFixture
from tests.services.flows import CLIENT, session_of, sign_up
from tests.support.authenticator import SoftAuthenticator

ADMIN, ALICE, BOB = "admin@example.com", "alice@example.com", "bob@example.com"
ADMIN_STATE_DIR = Path(__file__).resolve().parents[3] / "passkey_app" / "state" / "admin"


def _login(services: Services, cognito: CognitoFixture, email: str) -> tuple[str, SignedInUser]:
    login = services.password_login.login(
        email=email, password=cognito.user(email).password, client=CLIENT
    )
    assert not isinstance(login, NewPasswordNeeded)
    return session_of(services, login)


def _sub(cognito: CognitoFixture, email: str) -> str:
    found = cognito.client.admin_get_user(UserPoolId=cognito.pool.user_pool_id, Username=email)
    return next(a["Value"] for a in found["UserAttributes"] if a["Name"] == "sub")


def _calls(service: AdminService, user: SignedInUser) -> dict[str, object]:
    sub = "0f0e0d0c-0000-4000-8000-000000000001"
    return {
        "needs_reauthentication": lambda: service.needs_reauthentication(user),
        "list_users": lambda: service.list_users(user),
        "user_detail": lambda: service.user_detail(user, sub=sub),
        "set_enabled": lambda: service.set_enabled(user, sub=sub, enabled=False, client=CLIENT),
        "sign_out_everywhere": lambda: service.sign_out_everywhere(user, sub=sub, client=CLIENT),
        "delete_passkey": lambda: service.delete_passkey(
            user, sub=sub, passkey_id=1, client=CLIENT
        ),
        "adoption": lambda: service.adoption(user),
        "audit_log": lambda: service.audit_log(user),
        "event_types": lambda: service.event_types(user),
    }


def test_every_admin_method_refuses_a_non_admin(
    services: Services, cognito: CognitoFixture
) -> None:
    _, alice = _login(services, cognito, ALICE)
    calls = _calls(services.admin, alice)
    public = {
        name
        for name, _ in inspect.getmembers(AdminService, inspect.isfunction)
        if not name.startswith("_") and name != "require_admin"
    }
    assert set(calls) == public
    for name, call in calls.items():
        with pytest.raises(AdminError) as refused:
            call()  # type: ignore[operator]
        assert refused.value.failure is AdminFailure.FORBIDDEN, name


def _event_handlers(path: Path) -> dict[str, set[str]]:
    """Each @rx.event method of the file, with the self._x helpers it calls."""
    handlers: dict[str, set[str]] = {}
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if not any(ast.unparse(d) == "rx.event" for d in node.decorator_list):
            continue
        handlers[node.name] = {
            call.func.attr
            for call in ast.walk(node)
            if isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and ast.unparse(call.func.value) == "self"
        }
    return handlers


def test_every_admin_event_handler_checks_the_admin_group_itself() -> None:
    files = sorted(ADMIN_STATE_DIR.glob("*.py"))
    assert [f.name for f in files] == [
        "__init__.py",
        "adoption.py",
        "audit.py",
        "base.py",
        "user.py",
        "users.py",
    ]
    unchecked = {
        f"{path.name}:{name}"
        for path in files
        for name, calls in _event_handlers(path).items()
        if not calls & {"_admin", "_enter"}
    }
    total = sum(len(_event_handlers(path)) for path in files)
    assert total >= 16
    assert unchecked == set()


def test_the_confirm_dialogs_handlers_ask_who_it_is_and_admins_narrow_that_to_admins() -> None:
    mixin = _event_handlers(ADMIN_STATE_DIR.parent / "reauth.py")
    assert set(mixin) == {
        "reauth_open_changed",
        "start_reauth_passkey",
        "finish_reauth_passkey",
        "confirm_reauth_password",
    }
    assert all("_reauth_user" in calls for calls in mixin.values()), mixin
    user_state = ast.parse((ADMIN_STATE_DIR / "user.py").read_text())
    narrowed = next(
        node
        for node in ast.walk(user_state)
        if isinstance(node, ast.AsyncFunctionDef) and node.name == "_reauth_user"
    )
    assert "self._admin()" in ast.unparse(narrowed)


def test_destructive_actions_want_a_login_younger_than_15_minutes(
    services: Services, cognito: CognitoFixture
) -> None:
    _, admin = _login(services, cognito, ADMIN)
    stale = AdminService(
        engine=services.engine,
        directory=services.admin._directory,
        clock=lambda: admin.authenticated_at + timedelta(minutes=16),
    )
    bob = _sub(cognito, BOB)
    for call in (
        lambda: stale.set_enabled(admin, sub=bob, enabled=False, client=CLIENT),
        lambda: stale.sign_out_everywhere(admin, sub=bob, client=CLIENT),
        lambda: stale.delete_passkey(admin, sub=bob, passkey_id=1, client=CLIENT),
    ):
        with pytest.raises(AdminError) as refused:
            call()
        assert refused.value.failure is AdminFailure.REAUTHENTICATION_REQUIRED
    assert stale.list_users(admin).users  # reading stays allowed


def test_disable_enable_and_sign_out_everywhere_are_done_and_audited(
    services: Services, cognito: CognitoFixture
) -> None:
    _, admin = _login(services, cognito, ADMIN)
    _login(services, cognito, BOB)
    _login(services, cognito, BOB)
    bob = _sub(cognito, BOB)
    admin_service = services.admin
    admin_service.set_enabled(admin, sub=bob, enabled=False, client=CLIENT)
    pool_id = cognito.pool.user_pool_id
    assert cognito.client.admin_get_user(UserPoolId=pool_id, Username=BOB)["Enabled"] is False
    with pytest.raises(AdminError) as own:
        admin_service.set_enabled(admin, sub=admin.sub, enabled=False, client=CLIENT)
    assert own.value.failure is AdminFailure.OWN_ACCOUNT
    admin_service.set_enabled(admin, sub=bob, enabled=True, client=CLIENT)
    assert cognito.client.admin_get_user(UserPoolId=pool_id, Username=BOB)["Enabled"] is True
    assert admin_service.sign_out_everywhere(admin, sub=bob, client=CLIENT) == 2
    with session_scope(services.engine) as db:
        left = db.exec(select(BrowserSession).where(BrowserSession.user_sub == bob)).all()
        audited = db.exec(
            select(
                AuditEvent.event_type, AuditEvent.actor_sub, AuditEvent.user_sub, AuditEvent.detail
            )
            .where(AuditEvent.event_type.startswith("admin."))  # type: ignore[attr-defined]
            .order_by(AuditEvent.id)  # type: ignore[arg-type]
        ).all()
    assert left == []
    assert [tuple(row) for row in audited] == [
        ("admin.user_disable", admin.sub, bob, ""),
        ("admin.user_enable", admin.sub, bob, ""),
        ("admin.user_sign_out", admin.sub, bob, "sessions=2"),
    ]


NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
GOOGLE = "ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4"
YUBIKEY = "fa2b99dc-9e39-4257-8f92-4a30d23c4118"
HELLO = "08987058-cadc-4b81-b6e1-30de50dcbe96"


def _handmade() -> list[PlannedUser]:
    day = timedelta(days=1)
    return [
        PlannedUser(
            email="ann@example.org",
            created_at=NOW - 40 * day,
            kind="passkey_signup",
            disabled=False,
            passkeys=[
                PlannedPasskey(GOOGLE, True, NOW - 40 * day),
                PlannedPasskey(YUBIKEY, False, NOW - 10 * day),
            ],
            logins=[
                (NOW - 2 * day, "passkey", "success"),
                (NOW - 1 * day, "passkey", "success"),
                (NOW - 1 * day, "password", "failure"),
            ],
            sub="sub-ann",
        ),
        PlannedUser(
            email="ben@example.org",
            created_at=NOW - 90 * day,
            kind="password_added",
            disabled=False,
            passkeys=[PlannedPasskey(HELLO, False, NOW - 5 * day)],
            logins=[(NOW - 6 * day, "password", "success"), (NOW - 1 * day, "passkey", "success")],
            sub="sub-ben",
        ),
        PlannedUser(
            email="cat@example.org",
            created_at=NOW - 90 * day,
            kind="password_only",
            disabled=False,
            logins=[(NOW - 60 * day, "password", "success"), (NOW, "magic_link", "success")],
            sub="sub-cat",
        ),
    ]


def _admin_at(now: datetime) -> SignedInUser:
    return SignedInUser(
        sub="sub-admin",
        username=ADMIN,
        email=ADMIN,
        groups=("admin",),
        auth_method="password",
        authenticated_at=now,
        session_created_at=now,
        session_expires_at=now + timedelta(hours=1),
        idle_expires_at=now + timedelta(hours=1),
    )


def test_adoption_numbers_come_out_exactly(services: Services) -> None:
    assert write_rows(services.engine, _handmade()) == (3, 10)
    service = AdminService(
        engine=services.engine, directory=services.admin._directory, clock=lambda: NOW
    )
    numbers = service.adoption(_admin_at(NOW), days=7)
    assert (numbers.active.active, numbers.active.with_passkey) == (3, 2)
    assert [(d.day, d.passkey, d.password, d.magic_link) for d in numbers.logins] == [
        ("2026-11-14", 0, 1, 0),
        ("2026-11-15", 0, 0, 0),
        ("2026-11-16", 0, 0, 0),
        ("2026-11-17", 0, 0, 0),
        ("2026-11-18", 1, 0, 0),
        ("2026-11-19", 2, 0, 0),
        ("2026-11-20", 0, 0, 1),
    ]
    assert [(m.month, m.passkey_signups, m.password_users_added) for m in numbers.monthly] == [
        ("2026-10", 1, 0),
        ("2026-11", 0, 1),
    ]
    assert [(m.model, m.passkeys) for m in numbers.models] == [
        ("Google Password Manager", 1),
        ("Windows Hello", 1),
        ("YubiKey 5 Series with NFC", 1),
    ]


def test_users_pages_join_our_tables_for_each_page(
    services: Services, cognito: CognitoFixture
) -> None:
    from passkey_app.dev.seed import seed

    report = seed(
        client=cognito.client,
        user_pool_id=cognito.pool.user_pool_id,
        engine=services.engine,
        users=40,
        now=NOW,
    )
    assert (report.created, report.skipped) == (40, 0)
    planned = {u.email: u for u in plan_users(40, now=NOW)}
    admin = _admin_at(datetime.now(UTC))
    seen, token, pages = [], None, 0
    while True:
        page = services.admin.list_users(admin, token=token, limit=15)
        seen.extend(page.users)
        pages += 1
        token = page.next_token
        if token is None:
            break
    assert pages == 3
    assert len({row.sub for row in seen}) == len(seen) == 44  # 40 seeded + 4 demo users
    for row in seen:
        plan = planned.get(row.email)
        if plan is None:
            assert (row.synced_passkeys, row.device_passkeys, row.last_login_at) == (0, 0, None)
            continue
        assert row.created_by == ("passkey" if plan.kind == "passkey_signup" else "password")
        assert row.synced_passkeys == sum(p.synced for p in plan.passkeys)
        assert row.device_passkeys == sum(not p.synced for p in plan.passkeys)
        successes = [(at, m) for at, m, outcome in plan.logins if outcome == "success"]
        expected = max(successes) if successes else None
        got = (row.last_login_at, row.last_login_method) if row.last_login_at else None
        assert got == expected
    found = services.admin.list_users(admin, email_prefix="DEMO0001")
    assert sorted(row.email for row in found.users) == [
        f"demo{n:05d}@example.org" for n in range(10, 20)
    ]


def test_audit_log_filters_and_pages_by_keyset(services: Services) -> None:
    write_rows(services.engine, _handmade())
    admin = _admin_at(NOW)
    service = services.admin
    first, cursor = service.audit_log(admin, limit=4)
    second, cursor2 = service.audit_log(admin, limit=4, cursor=cursor)
    third, end = service.audit_log(admin, limit=4, cursor=cursor2)
    assert (len(first), len(second), len(third), end) == (4, 4, 2, "")
    ids = [row.id for row in first + second + third]
    assert len(set(ids)) == 10
    times = [row.occurred_at for row in first + second + third]
    assert times == sorted(times, reverse=True)
    ann, _ = service.audit_log(admin, user="sub-ann")
    assert {row.email for row in ann} == {"ann@example.org"} and len(ann) == 5
    failures, _ = service.audit_log(admin, event_type="login.password")
    assert [(row.email, row.outcome) for row in failures] == [
        ("ann@example.org", "failure"),
        ("ben@example.org", "success"),
        ("cat@example.org", "success"),
    ]
    recent, _ = service.audit_log(admin, since=NOW - timedelta(days=1, hours=1))
    assert len(recent) == 4
    with pytest.raises(AdminError):
        service.audit_log(admin, user='x" or 1=1')


def test_the_user_page_says_when_an_email_is_not_confirmed(
    services: Services, cognito: CognitoFixture
) -> None:
    _, admin = _login(services, cognito, ADMIN)
    _, newcomer = session_of(services, sign_up(services, SoftAuthenticator(), "new@example.com"))
    assert services.admin.user_detail(admin, sub=newcomer.sub).user.email_confirmed is False
    assert services.admin.user_detail(admin, sub=_sub(cognito, BOB)).user.email_confirmed is True
    found = services.gateway.find_user(email="new@example.com")
    assert found is not None
    services.provisional.prove_mailbox(user=found, signed_in_sub=newcomer.sub, client=CLIENT)
    assert services.admin.user_detail(admin, sub=newcomer.sub).user.email_confirmed is True
