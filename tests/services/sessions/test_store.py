"""Server-side sessions: handoff, activation, refresh, logout and revocation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography.fernet import Fernet
from pydantic import SecretStr
from sqlmodel import Session, select

from passkey_app.models import AuditEvent, BrowserSession
from passkey_app.services.audit import ClientInfo
from passkey_app.services.container import Services, build_services
from passkey_app.services.errors import AuthError
from passkey_app.services.password.login import LoginSucceeded
from passkey_app.services.sessions.store import SessionStore
from passkey_app.settings import Settings
from tests.conftest import CognitoFixture

CLIENT = ClientInfo(ip_address="198.51.100.7", user_agent="pytest")


class MovableClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


def _store(services: Services, settings: Settings, clock: MovableClock) -> SessionStore:
    return SessionStore(
        engine=services.engine,
        gateway=services.gateway,
        verifier=services.verifier,
        cipher=services.sessions._cipher,
        lifetime=timedelta(hours=settings.session_lifetime_hours),
        handoff_lifetime=timedelta(seconds=settings.handoff_lifetime_seconds),
        idle_timeout=timedelta(minutes=settings.session_idle_minutes),
        revalidate_every=timedelta(seconds=settings.session_revalidate_seconds),
        clock=clock,
    )


def _login(services: Services, cognito: CognitoFixture, email: str = "alice@example.com") -> str:
    user = cognito.user(email)
    result = services.password_login.login(email=user.email, password=user.password, client=CLIENT)
    assert isinstance(result, LoginSucceeded)
    return result.handoff_code


def test_handoff_code_activates_once(services: Services, cognito: CognitoFixture) -> None:
    code = _login(services, cognito)
    session_id = services.sessions.activate(code, client=CLIENT)
    assert session_id is not None and session_id != code
    assert services.sessions.activate(code, client=CLIENT) is None
    user = services.sessions.current(session_id)
    assert user is not None
    assert (user.email, user.auth_method, user.is_admin) == ("alice@example.com", "password", False)


def test_the_tabs_binding_opens_the_session_only_between_activation_and_its_end(
    services: Services, cognito: CognitoFixture
) -> None:
    alice = cognito.user("alice@example.com")
    login = services.password_login.login(email=alice.email, password=alice.password, client=CLIENT)
    assert isinstance(login, LoginSucceeded)
    assert login.binding and login.binding != login.handoff_code
    assert services.sessions.current(login.binding) is None  # the code is not exchanged yet
    assert services.sessions.activate(login.binding, client=CLIENT) is None  # not a code
    session_id = services.sessions.activate(login.handoff_code, client=CLIENT)
    assert session_id is not None
    bound = services.sessions.current(login.binding)
    assert bound is not None and bound.email == "alice@example.com"
    assert services.sessions.end(session_id, client=CLIENT)
    assert services.sessions.current(login.binding) is None
    with Session(services.engine) as db:
        stored = db.exec(select(BrowserSession.binding_hash)).all()
    assert login.binding not in stored


def test_only_the_hash_of_the_session_id_is_stored(
    services: Services, cognito: CognitoFixture
) -> None:
    session_id = services.sessions.activate(_login(services, cognito), client=CLIENT)
    assert session_id is not None
    with Session(services.engine) as db:
        row = db.exec(select(BrowserSession)).one()
    assert row.token_hash is not None and session_id not in row.token_hash
    assert row.handoff_hash is None


def test_each_login_gets_a_new_session_id(services: Services, cognito: CognitoFixture) -> None:
    first = services.sessions.activate(_login(services, cognito), client=CLIENT)
    second = services.sessions.activate(_login(services, cognito), client=CLIENT)
    assert first and second and first != second


def test_expired_handoff_code_is_refused(
    services: Services, settings: Settings, cognito: CognitoFixture
) -> None:
    clock = MovableClock()
    store = _store(services, settings, clock)
    code = _login(services, cognito)
    clock.now += timedelta(seconds=settings.handoff_lifetime_seconds + 1)
    assert store.activate(code, client=CLIENT) is None


@pytest.mark.parametrize("value", ["", "x" * 129, "not-a-real-code"])
def test_bogus_codes_and_ids_resolve_to_nobody(services: Services, value: str) -> None:
    assert services.sessions.activate(value, client=CLIENT) is None
    assert services.sessions.current(value) is None


def test_admin_group_comes_from_the_verified_id_token(
    services: Services, cognito: CognitoFixture
) -> None:
    session_id = services.sessions.activate(
        _login(services, cognito, "admin@example.com"), client=CLIENT
    )
    assert session_id is not None
    user = services.sessions.current(session_id)
    assert user is not None and user.is_admin


def test_stale_access_token_is_refreshed(
    services: Services, settings: Settings, cognito: CognitoFixture
) -> None:
    clock = MovableClock()
    store = _store(services, settings, clock)
    session_id = store.activate(_login(services, cognito), client=CLIENT)
    assert session_id is not None
    with Session(services.engine) as db:
        before = db.exec(select(BrowserSession)).one().encrypted_tokens
    clock.now += timedelta(minutes=59, seconds=45)
    assert store.current(session_id) is not None
    with Session(services.engine) as db:
        after = db.exec(select(BrowserSession)).one()
    assert after.encrypted_tokens != before


def test_session_past_its_lifetime_is_gone(
    services: Services, settings: Settings, cognito: CognitoFixture
) -> None:
    clock = MovableClock()
    store = _store(services, settings, clock)
    session_id = store.activate(_login(services, cognito), client=CLIENT)
    assert session_id is not None
    clock.now += timedelta(hours=settings.session_lifetime_hours, seconds=1)
    assert store.current(session_id) is None
    with Session(services.engine) as db:
        assert db.exec(select(BrowserSession)).first() is None


def test_logout_revokes_the_refresh_token_and_deletes_the_session(
    services: Services, cognito: CognitoFixture
) -> None:
    session_id = services.sessions.activate(_login(services, cognito), client=CLIENT)
    assert session_id is not None
    with Session(services.engine) as db:
        row = db.exec(select(BrowserSession)).one()
    tokens = services.sessions._cipher.open(row.encrypted_tokens)
    assert tokens is not None and tokens.refresh_token
    assert services.sessions.end(session_id, client=CLIENT)
    assert services.sessions.current(session_id) is None
    with pytest.raises(AuthError):
        services.gateway.refresh(username=row.username, refresh_token=tokens.refresh_token)
    with Session(services.engine) as db:
        kinds = [e.event_type for e in db.exec(select(AuditEvent).order_by(AuditEvent.id))]
    assert kinds == ["login.password", "session.start", "session.end"]


def test_tokens_sealed_with_another_key_end_the_session(
    settings: Settings, services: Services, cognito: CognitoFixture
) -> None:
    session_id = services.sessions.activate(_login(services, cognito), client=CLIENT)
    assert session_id is not None
    rotated_away = build_services(
        settings.model_copy(update={"session_keys": SecretStr(Fernet.generate_key().decode())}),
        gateway=services.gateway,
    )
    assert rotated_away.sessions.current(session_id) is None


def test_rotated_session_keys_still_open_old_sessions(
    settings: Settings, services: Services, cognito: CognitoFixture
) -> None:
    session_id = services.sessions.activate(_login(services, cognito), client=CLIENT)
    assert session_id is not None
    assert settings.session_keys is not None
    rotated = build_services(
        settings.model_copy(
            update={
                "session_keys": SecretStr(
                    f"{Fernet.generate_key().decode()},{settings.session_keys.get_secret_value()}"
                )
            }
        ),
        gateway=services.gateway,
    )
    assert rotated.sessions.current(session_id) is not None


def test_a_session_survives_a_backend_restart(
    services: Services, settings: Settings, cognito: CognitoFixture
) -> None:
    session_id = services.sessions.activate(_login(services, cognito), client=CLIENT)
    assert session_id is not None
    restarted = build_services(settings)  # a new process: new engine, caches and clients
    try:
        user = restarted.sessions.current(session_id)
        assert user is not None and user.email == "alice@example.com"
    finally:
        restarted.engine.dispose()


def _refresh_token(services: Services) -> tuple[str, str]:
    with Session(services.engine) as db:
        row = db.exec(select(BrowserSession)).one()
    tokens = services.sessions._cipher.open(row.encrypted_tokens)
    assert tokens is not None and tokens.refresh_token
    return row.username, tokens.refresh_token


def _session_ends(services: Services) -> list[tuple[str, str]]:
    with Session(services.engine) as db:
        return [
            (e.outcome, e.detail)
            for e in db.exec(select(AuditEvent).where(AuditEvent.event_type == "session.end")).all()
        ]


def test_a_session_unused_for_the_idle_timeout_ends_and_its_token_is_revoked(
    services: Services, settings: Settings, cognito: CognitoFixture
) -> None:
    clock = MovableClock()
    store = _store(services, settings, clock)
    session_id = store.activate(_login(services, cognito), client=CLIENT)
    assert session_id is not None
    username, refresh_token = _refresh_token(services)
    clock.now += timedelta(hours=11, minutes=59)
    user = store.current(session_id)
    assert user is not None
    assert user.idle_expires_at == clock.now + timedelta(hours=12)
    clock.now += timedelta(hours=12)
    assert store.current(session_id) is None
    assert _session_ends(services) == [("success", "idle")]
    with pytest.raises(AuthError):
        services.gateway.refresh(username=username, refresh_token=refresh_token)


def test_activity_is_written_at_most_once_a_minute(
    services: Services, settings: Settings, cognito: CognitoFixture
) -> None:
    clock = MovableClock()
    store = _store(services, settings, clock)
    session_id = store.activate(_login(services, cognito), client=CLIENT)
    assert session_id is not None
    with Session(services.engine) as db:
        first_seen = db.exec(select(BrowserSession)).one().last_seen_at
    clock.now += timedelta(seconds=30)
    assert store.current(session_id) is not None
    with Session(services.engine) as db:
        assert db.exec(select(BrowserSession)).one().last_seen_at == first_seen
    clock.now += timedelta(seconds=31)
    assert store.current(session_id) is not None
    with Session(services.engine) as db:
        assert db.exec(select(BrowserSession)).one().last_seen_at != first_seen


def test_a_refresh_token_revoked_outside_the_app_ends_the_session_within_five_minutes(
    services: Services, settings: Settings, cognito: CognitoFixture
) -> None:
    clock = MovableClock()
    store = _store(services, settings, clock)
    session_id = store.activate(_login(services, cognito), client=CLIENT)
    assert session_id is not None
    _, refresh_token = _refresh_token(services)
    # Someone revokes the token at Cognito directly (console, another tool): not through us.
    cognito.client.revoke_token(
        Token=refresh_token,
        ClientId=cognito.pool.client_id,
        ClientSecret=cognito.pool.client_secret,
    )
    clock.now += timedelta(minutes=4, seconds=58)
    assert store.current(session_id) is not None
    clock.now += timedelta(seconds=3)  # the login itself happened a moment after clock.now
    assert store.current(session_id) is None
    assert _session_ends(services) == [("success", "revoked")]
    with Session(services.engine) as db:
        assert db.exec(select(BrowserSession)).first() is None


def test_a_new_session_is_not_revalidated_at_once(
    services: Services, settings: Settings, cognito: CognitoFixture
) -> None:
    clock = MovableClock()
    store = _store(services, settings, clock)
    session_id = store.activate(_login(services, cognito), client=CLIENT)
    assert session_id is not None
    with Session(services.engine) as db:
        before = db.exec(select(BrowserSession)).one().encrypted_tokens
    assert store.current(session_id) is not None
    with Session(services.engine) as db:
        assert db.exec(select(BrowserSession)).one().encrypted_tokens == before


def test_the_access_token_for_the_teams_apis_is_fresh_and_verifies(
    services: Services, settings: Settings, cognito: CognitoFixture
) -> None:
    clock = MovableClock()
    store = _store(services, settings, clock)
    session_id = store.activate(_login(services, cognito), client=CLIENT)
    assert session_id is not None
    first = store.access_token(session_id)
    assert first is not None
    user = store.current(session_id)
    assert user is not None
    assert services.verifier.verify_access_token(first).sub == user.sub
    assert store.access_token(session_id) == first  # still fresh: no refresh
    forced = store.access_token(session_id, force_refresh=True)
    assert forced is not None and forced != first
    clock.now += timedelta(minutes=59, seconds=45)
    stale_refreshed = store.access_token(session_id)
    assert stale_refreshed is not None and stale_refreshed not in (first, forced)


def test_no_access_token_without_a_live_session(
    services: Services, settings: Settings, cognito: CognitoFixture
) -> None:
    clock = MovableClock()
    store = _store(services, settings, clock)
    assert store.access_token("no-such-session") is None
    session_id = store.activate(_login(services, cognito), client=CLIENT)
    assert session_id is not None
    assert store.end(session_id, client=CLIENT)
    assert store.access_token(session_id) is None
