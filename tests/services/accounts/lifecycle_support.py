"""Shortcuts for the account-lifecycle tests: passkeys of a chosen backup state added
through the real ceremony, and what the tables hold about someone (a password session:
``tests.services.flows.password_session``)."""

from __future__ import annotations

from sqlalchemy import func, or_
from sqlmodel import col, select

from passkey_app.db import session_scope
from passkey_app.models import (
    AuditEvent,
    BrowserSession,
    KnownBrowser,
    MagicLink,
    PasskeyCredential,
    WebAuthnChallenge,
    WebAuthnUser,
)
from passkey_app.services.container import Services
from passkey_app.services.sessions.store import SignedInUser
from passkey_app.services.webauthn.credential_store import PasskeySummary
from tests.services.flows import CLIENT
from tests.support.authenticator import SoftAuthenticator


def add_passkey(
    services: Services, user: SignedInUser, *, synced: bool, backed_up: bool | None = None
) -> PasskeySummary:
    """A passkey from a new software authenticator: ``synced`` sets the backup-eligible
    and backed-up flags (BE, BS) alike unless ``backed_up`` says otherwise."""
    ceremony = services.passkey_account.begin_add(user=user, client=CLIENT)
    bs = synced if backed_up is None else backed_up
    _, response = SoftAuthenticator().create(ceremony.options, be=synced, bs=bs)
    return services.passkey_account.finish_add(
        user=user, handle=ceremony.handle, response=response, client=CLIENT
    )


def rows_about(services: Services, *, user_sub: str, email: str) -> dict[str, int]:
    """How many rows of each table still name the account (its sub or its address)."""
    counts: dict[str, int] = {}
    with session_scope(services.engine) as db:

        def count(name: str, model: type, *conditions: object) -> None:
            query = select(func.count()).select_from(model).where(or_(*conditions))  # type: ignore[arg-type]
            counts[name] = int(db.exec(query).one())

        count("webauthn_user", WebAuthnUser, col(WebAuthnUser.user_sub) == user_sub)
        count("passkey_credential", PasskeyCredential, col(PasskeyCredential.user_sub) == user_sub)
        count("browser_session", BrowserSession, col(BrowserSession.user_sub) == user_sub)
        count("known_browser", KnownBrowser, col(KnownBrowser.user_sub) == user_sub)
        count(
            "magic_link",
            MagicLink,
            col(MagicLink.user_sub) == user_sub,
            col(MagicLink.email) == email,
        )
        count(
            "webauthn_challenge",
            WebAuthnChallenge,
            col(WebAuthnChallenge.user_sub) == user_sub,
            col(WebAuthnChallenge.email) == email,
        )
        count(
            "audit_event",
            AuditEvent,
            col(AuditEvent.user_sub) == user_sub,
            col(AuditEvent.email) == email,
            col(AuditEvent.actor_sub) == user_sub,
        )
    return counts


def audit_rows(services: Services, event_type: str) -> list[AuditEvent]:
    """Every audit row of one type, oldest first."""
    with session_scope(services.engine) as db:
        rows = db.exec(
            select(AuditEvent)
            .where(col(AuditEvent.event_type) == event_type)
            .order_by(col(AuditEvent.id))
        ).all()
        for row in rows:
            db.expunge(row)
        return list(rows)
