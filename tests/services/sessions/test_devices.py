"""Sessions and devices against the moto pool: which sessions remain, which refresh
tokens Cognito still honours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from passkey_app.models import BrowserSession
from passkey_app.services.audit import ClientInfo
from passkey_app.services.container import Services
from passkey_app.services.errors import AuthError, AuthFailure
from passkey_app.services.sessions.devices import (
    CurrentSessionError,
    SessionNotFoundError,
)
from passkey_app.services.user_agent import Device
from tests.conftest import CognitoFixture
from tests.services.flows import LAPTOP, PHONE, audit_trail, password_session
from tests.support.authenticator import SoftAuthenticator

ALICE, BOB = "alice@example.com", "bob@example.com"
TABLET = ClientInfo(ip_address="192.0.2.4", user_agent="")


def _refresh_tokens(services: Services) -> dict[int, str]:
    """Each session row's refresh token, read as the store keeps it."""
    with Session(services.engine) as db:
        rows = db.exec(select(BrowserSession)).all()
    tokens = {}
    for row in rows:
        opened = services.sessions._cipher.open(row.encrypted_tokens)
        assert opened is not None and opened.refresh_token and row.id is not None
        tokens[row.id] = opened.refresh_token
    return tokens


def _honoured(services: Services, email: str, refresh_token: str) -> bool:
    try:
        services.gateway.refresh(username=email, refresh_token=refresh_token)
    except AuthError as error:
        assert error.failure is AuthFailure.INVALID_CREDENTIALS
        return False
    return True


def _rows(services: Services) -> set[int]:
    with Session(services.engine) as db:
        return {row.id for row in db.exec(select(BrowserSession)).all() if row.id is not None}


def test_the_list_shows_each_live_session_with_this_device_first(
    services: Services, cognito: CognitoFixture
) -> None:
    laptop_id, alice = password_session(services, cognito, ALICE, LAPTOP)
    password_session(services, cognito, ALICE, PHONE)
    password_session(services, cognito, BOB, TABLET)

    listed = services.session_devices.list(user=alice, session_id=laptop_id)

    assert [(s.device, s.ip_address, s.method, s.current) for s in listed] == [
        (Device("Chrome", "Linux", "Chrome on Linux"), "203.0.113.7", "password", True),
        (Device("Safari", "iPhone", "Safari on iPhone"), "198.51.100.23", "password", False),
    ]
    assert all(s.passkey_id is None for s in listed)
    now = datetime.now(UTC)
    assert all(now - timedelta(minutes=1) < s.signed_in_at <= now for s in listed)


def test_a_session_past_its_idle_limit_is_not_listed(
    services: Services, cognito: CognitoFixture
) -> None:
    laptop_id, alice = password_session(services, cognito, ALICE, LAPTOP)
    password_session(services, cognito, ALICE, PHONE)
    with Session(services.engine) as db:
        phone = db.exec(
            select(BrowserSession).where(BrowserSession.ip_address == PHONE.ip_address)
        ).one()
        phone.last_seen_at = datetime.now(UTC) - services.sessions.idle_timeout
        db.add(phone)
        db.commit()
    assert [s.current for s in services.session_devices.list(user=alice, session_id=laptop_id)] == [
        True
    ]


def test_signing_out_one_other_session_revokes_its_refresh_token_only(
    services: Services, cognito: CognitoFixture
) -> None:
    laptop_id, alice = password_session(services, cognito, ALICE, LAPTOP)
    phone_id, _ = password_session(services, cognito, ALICE, PHONE)
    tokens = _refresh_tokens(services)
    phone_row = services.sessions.row_id(phone_id)
    laptop_row = services.sessions.row_id(laptop_id)
    assert phone_row is not None and laptop_row is not None

    services.session_devices.end(
        user=alice, session_row=phone_row, session_id=laptop_id, client=LAPTOP
    )

    assert _rows(services) == {laptop_row}
    assert services.sessions.current(phone_id) is None
    assert services.sessions.current(laptop_id) is not None
    assert not _honoured(services, ALICE, tokens[phone_row])
    assert _honoured(services, ALICE, tokens[laptop_row])
    assert audit_trail(services, "session.end") == [("success", "signed out remotely")]


def test_ending_someone_elses_session_is_refused_and_changes_nothing(
    services: Services, cognito: CognitoFixture
) -> None:
    laptop_id, alice = password_session(services, cognito, ALICE, LAPTOP)
    bob_id, _ = password_session(services, cognito, BOB, PHONE)
    tokens = _refresh_tokens(services)
    bob_row = services.sessions.row_id(bob_id)
    assert bob_row is not None
    before = _rows(services)

    for row in (bob_row, bob_row + 1000, -1):
        with pytest.raises(SessionNotFoundError) as refused:
            services.session_devices.end(
                user=alice, session_row=row, session_id=laptop_id, client=LAPTOP
            )
        assert refused.value.user_message == "That session has already ended."

    assert _rows(services) == before
    assert services.sessions.current(bob_id) is not None
    assert all(
        _honoured(services, BOB if row == bob_row else ALICE, t) for row, t in tokens.items()
    )
    assert audit_trail(services, "session.end") == []


def test_this_devices_own_row_is_not_signed_out_from_the_list(
    services: Services, cognito: CognitoFixture
) -> None:
    laptop_id, alice = password_session(services, cognito, ALICE, LAPTOP)
    row = services.sessions.row_id(laptop_id)
    assert row is not None
    with pytest.raises(CurrentSessionError):
        services.session_devices.end(
            user=alice, session_row=row, session_id=laptop_id, client=LAPTOP
        )
    assert services.sessions.current(laptop_id) is not None


def test_sign_out_all_others_keeps_this_session_and_revokes_every_other_token(
    services: Services, cognito: CognitoFixture
) -> None:
    laptop_id, alice = password_session(services, cognito, ALICE, LAPTOP)
    phone_id, _ = password_session(services, cognito, ALICE, PHONE)
    tablet_id, _ = password_session(services, cognito, ALICE, TABLET)
    bob_id, _ = password_session(services, cognito, BOB, TABLET)
    tokens = _refresh_tokens(services)
    rows = {
        name: services.sessions.row_id(sid)
        for name, sid in {
            "laptop": laptop_id,
            "phone": phone_id,
            "tablet": tablet_id,
            "bob": bob_id,
        }.items()
    }

    assert services.session_devices.end_others(user=alice, session_id=laptop_id, client=LAPTOP) == 2

    assert _rows(services) == {rows["laptop"], rows["bob"]}
    assert [
        services.sessions.current(s) is not None for s in (laptop_id, phone_id, tablet_id, bob_id)
    ] == [True, False, False, True]
    honoured = {
        name: _honoured(services, BOB if name == "bob" else ALICE, tokens[row])
        for name, row in rows.items()
        if row is not None
    }
    assert honoured == {"laptop": True, "phone": False, "tablet": False, "bob": True}
    assert audit_trail(services, "session.end") == [("success", "signed out by the person")] * 2


def _passkey_session(services: Services, device: SoftAuthenticator, client: ClientInfo) -> str:
    ceremony = services.passkey_login.discoverable_options(client=client)
    response = device.get(ceremony.options)
    login = services.passkey_login.finish(handle=ceremony.handle, response=response, client=client)
    session_id = services.sessions.activate(login.handoff_code, client=client)
    assert session_id is not None
    return session_id


@pytest.mark.parametrize("end_sessions", [True, False])
def test_removing_a_passkey_can_sign_out_the_sessions_it_signed_in(
    services: Services, cognito: CognitoFixture, end_sessions: bool
) -> None:
    laptop_id, alice = password_session(services, cognito, ALICE, LAPTOP)
    lost, kept = SoftAuthenticator(), SoftAuthenticator()
    for device in (lost, kept):
        ceremony = services.passkey_account.begin_add(user=alice, client=LAPTOP)
        _, response = device.create(ceremony.options)
        services.passkey_account.finish_add(
            user=alice, handle=ceremony.handle, response=response, client=LAPTOP
        )
    lost_id, kept_id = (p.id for p in services.passkey_account.overview(user=alice).passkeys)
    by_lost = [_passkey_session(services, lost, PHONE), _passkey_session(services, lost, TABLET)]
    by_kept = _passkey_session(services, kept, PHONE)
    tokens = _refresh_tokens(services)
    lost_rows = [services.sessions.row_id(s) for s in by_lost]

    assert services.passkey_account.sessions_by_passkey(user=alice, session_id=laptop_id) == {
        lost_id: 2,
        kept_id: 1,
    }
    ended = services.passkey_account.delete(
        user=alice,
        passkey_id=lost_id,
        client=LAPTOP,
        end_sessions=end_sessions,
        session_id=laptop_id,
    )

    assert ended == (2 if end_sessions else 0)
    assert [services.sessions.current(s) is not None for s in by_lost] == [not end_sessions] * 2
    assert services.sessions.current(by_kept) is not None
    assert services.sessions.current(laptop_id) is not None
    assert [_honoured(services, ALICE, tokens[row]) for row in lost_rows if row] == [
        not end_sessions
    ] * 2
    assert [p.id for p in services.passkey_account.overview(user=alice).passkeys] == [kept_id]
