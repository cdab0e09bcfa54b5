"""The one sign-in step, against the moto pool with our CUSTOM_AUTH extension."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from passkey_app.models import AuditEvent
from passkey_app.services.audit import AuditEventType
from passkey_app.services.cognito.gateway import CognitoTokens, CognitoUser
from passkey_app.services.container import Services
from passkey_app.services.sign_in import (
    SignInMethod,
    SignInStep,
    VerifiedByApp,
    VerifiedByCognito,
)
from tests.conftest import CognitoFixture
from tests.services.flows import CLIENT, session_of


def _step(services: Services, *, with_key_ring: bool = True) -> SignInStep:
    return SignInStep(
        gateway=services.gateway,
        sessions=services.sessions,
        key_ring=services.key_ring if with_key_ring else None,
    )


def _alice(services: Services, cognito: CognitoFixture) -> CognitoUser:
    user = services.gateway.find_user(email=cognito.user("alice@example.com").email)
    assert user is not None
    return user


def _audit_rows(services: Services) -> list[tuple[str, str, str | None, str | None, str]]:
    with Session(services.engine) as db:
        rows = db.exec(select(AuditEvent).order_by(AuditEvent.id)).all()  # type: ignore[arg-type]
        return [(r.event_type, r.outcome, r.email, r.user_sub, r.detail) for r in rows]


def test_a_factor_the_app_verified_gets_a_cognito_session_named_for_its_method(
    services: Services, cognito: CognitoFixture
) -> None:
    alice = _alice(services, cognito)
    login = _step(services).complete(
        factor=VerifiedByApp(
            method=SignInMethod.MAGIC_LINK, username=alice.username, user_sub=alice.sub
        ),
        client=CLIENT,
        event_type=AuditEventType.MAGIC_LINK_REDEEM,
        email=alice.email,
        detail="login",
        notice="Welcome back.",
    )
    assert _audit_rows(services) == [
        ("magic_link.redeem", "success", alice.email, alice.sub, "login")
    ]
    _, user = session_of(services, login)
    assert (user.sub, user.auth_method, user.notice) == (alice.sub, "magic_link", "Welcome back.")


def test_a_password_checked_by_cognito_opens_the_session_without_a_proof(
    services: Services, cognito: CognitoFixture
) -> None:
    demo = cognito.user("alice@example.com")
    tokens = services.gateway.password_auth(email=demo.email, password=demo.password)
    assert isinstance(tokens, CognitoTokens)
    login = _step(services, with_key_ring=False).complete(
        factor=VerifiedByCognito(method=SignInMethod.PASSWORD, tokens=tokens),
        client=CLIENT,
        event_type=AuditEventType.LOGIN_PASSWORD,
        email=demo.email,
    )
    assert _audit_rows(services) == [("login.password", "success", demo.email, login.user_sub, "")]
    _, user = session_of(services, login)
    assert user.auth_method == "password"


def test_a_flow_without_proof_keys_cannot_mint_a_session_for_a_verified_factor(
    services: Services, cognito: CognitoFixture
) -> None:
    alice = _alice(services, cognito)
    with pytest.raises(ValueError, match="no signed proof for passkey"):
        _step(services, with_key_ring=False).complete(
            factor=VerifiedByApp(
                method=SignInMethod.PASSKEY, username=alice.username, user_sub=alice.sub
            ),
            client=CLIENT,
            event_type=AuditEventType.LOGIN_PASSKEY,
        )
    assert _audit_rows(services) == []
