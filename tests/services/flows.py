"""Shortcuts for the passkey flow tests: whole ceremonies against the real services,
driven by the software authenticator."""

from __future__ import annotations

from sqlmodel import select

from passkey_app.db import session_scope
from passkey_app.models import AuditEvent
from passkey_app.services.audit import ClientInfo
from passkey_app.services.container import Services
from passkey_app.services.sessions.store import LoginSucceeded, SignedInUser
from tests.conftest import CognitoFixture
from tests.support.authenticator import SoftAuthenticator
from tests.support.user_agents import CHROME_LINUX, SAFARI_IPHONE

CLIENT = ClientInfo(ip_address="203.0.113.7", user_agent="pytest")
# Two browsers of one person, as their user agents name them (Chrome on Linux, Safari
# on an iPhone).
LAPTOP = ClientInfo(ip_address="203.0.113.7", user_agent=CHROME_LINUX)
PHONE = ClientInfo(ip_address="198.51.100.23", user_agent=SAFARI_IPHONE)


def sign_up(services: Services, authenticator: SoftAuthenticator, email: str) -> LoginSucceeded:
    """Passkey-first sign-up, start to finish."""
    ceremony = services.passkey_signup.begin(email=email, client=CLIENT)
    _, response = authenticator.create(ceremony.options)
    return services.passkey_signup.finish(handle=ceremony.handle, response=response, client=CLIENT)


def session_of(
    services: Services, login: LoginSucceeded, client: ClientInfo = CLIENT
) -> tuple[str, SignedInUser]:
    """Exchange the handoff code as the cookie route does; the session id and its person."""
    session_id = services.sessions.activate(login.handoff_code, client=client)
    assert session_id is not None
    user = services.sessions.current(session_id)
    assert user is not None
    return session_id, user


def password_session(
    services: Services, cognito: CognitoFixture, email: str, client: ClientInfo = CLIENT
) -> tuple[str, SignedInUser]:
    """A password sign-in of the fixture pool's ``email`` from ``client``, through the
    cookie route: the session id and its person."""
    login = services.password_login.login(
        email=email, password=cognito.user(email).password, client=client
    )
    assert isinstance(login, LoginSucceeded)
    return session_of(services, login, client)


def confirm_from_signup_browser(services: Services, login: LoginSucceeded) -> None:
    """The sign-up's own browser proves the mailbox: the account stops being provisional."""
    _, user = session_of(services, login)
    found = services.gateway.find_user(email=user.email)
    assert found is not None
    services.provisional.prove_mailbox(user=found, signed_in_sub=user.sub, client=CLIENT)


def audit_trail(services: Services, event_type: str) -> list[tuple[str, str]]:
    """(outcome, detail) of every audit row of one type, oldest first."""
    with session_scope(services.engine) as db:
        rows = db.exec(
            select(AuditEvent).where(AuditEvent.event_type == event_type).order_by(AuditEvent.id)  # type: ignore[arg-type]
        ).all()
        return [(row.outcome, row.detail) for row in rows]
