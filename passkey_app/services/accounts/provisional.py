"""Provisional accounts: a passkey sign-up whose address nobody has proven yet.

A passkey sign-up signs the person in at once, but anyone can type any address. Until
the mailbox is proven the account is *provisional*. The first proof of the mailbox
settles who owns it: from a browser that holds a session of the account (the one that
signed up), it simply confirms the address; from anywhere else, the prover becomes the
owner and everything made before the proof (passkeys, sessions, refresh tokens) is
removed, so a stranger who signed up first with someone else's address loses the
account instead of sharing it (pre-hijacking). Unconfirmed accounts are deleted after
a configurable time.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from passkey_app.db import session_scope
from passkey_app.models import WebAuthnUser
from passkey_app.services.accounts.half_made import HalfMadeAccounts
from passkey_app.services.audit import AuditEventType, AuditTrail, ClientInfo
from passkey_app.services.clock import Clock, as_utc, system_clock
from passkey_app.services.cognito.gateway import CognitoGateway, CognitoUser
from passkey_app.services.errors import AuthError
from passkey_app.services.mail.security import SecurityNotices
from passkey_app.services.sessions.store import SessionStore
from passkey_app.services.webauthn import credential_store

log = logging.getLogger(__name__)

DEFAULT_LIFETIME = timedelta(days=7)


class MailboxProof(StrEnum):
    """What a proof of the mailbox did to the account."""

    NOT_PROVISIONAL = "not_provisional"
    CONFIRMED = "confirmed"
    CLAIMED = "claimed"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


@dataclass(frozen=True)
class ProofOutcome:
    """The result of proving the mailbox, with what was removed when it was claimed."""

    kind: MailboxProof
    passkeys_removed: int = 0
    sessions_ended: int = 0

    @property
    def notice(self) -> str:
        """What the new owner is told on their account page ("" when nothing happened)."""
        if self.kind is not MailboxProof.CLAIMED:
            return ""
        return (
            "Someone set up this account with your email before you confirmed it. "
            f"We removed the {_plural(self.passkeys_removed, 'passkey')} and ended the "
            f"{_plural(self.sessions_ended, 'session')} made before now. "
            "Add a passkey of your own."
        )


class ProvisionalAccounts:
    """Settles who owns a provisional account, and sweeps the ones never confirmed."""

    def __init__(
        self,
        *,
        engine: Engine,
        gateway: CognitoGateway,
        sessions: SessionStore,
        lifetime: timedelta = DEFAULT_LIFETIME,
        clock: Clock = system_clock,
        notices: SecurityNotices | None = None,
    ) -> None:
        """``notices`` mails the owner once the address is confirmed."""
        self._notices = notices
        self._engine = engine
        self._gateway = gateway
        self._sessions = sessions
        self._lifetime = lifetime
        self._clock = clock
        self._audit = AuditTrail(engine, clock)
        self._half_made = HalfMadeAccounts(engine=engine, gateway=gateway, clock=clock)

    @property
    def lifetime(self) -> timedelta:
        """How long an unconfirmed account lives (a confirmation link lasts as long)."""
        return self._lifetime

    def is_provisional(self, user_sub: str) -> bool:
        """Whether nobody has proven this account's address yet."""
        with session_scope(self._engine) as db:
            owner = credential_store.find_user(db, user_sub)
            return owner is not None and owner.email_unconfirmed_since is not None

    def prove_mailbox(
        self, *, user: CognitoUser, signed_in_sub: str | None, client: ClientInfo
    ) -> ProofOutcome:
        """Someone opened a link mailed to the account's address. ``signed_in_sub`` is
        who the opening browser is signed in as (None: nobody): the account itself means
        the browser that signed up, anything else a newcomer who now owns the account."""
        if not self.is_provisional(user.sub):
            return ProofOutcome(kind=MailboxProof.NOT_PROVISIONAL)
        if signed_in_sub == user.sub:
            self._settle(user, client)
            self._audit.write(
                AuditEventType.ACCOUNT_EMAIL_CONFIRMED,
                "success",
                client,
                email=user.email,
                user_sub=user.sub,
            )
            return ProofOutcome(kind=MailboxProof.CONFIRMED)
        now = self._clock()
        ended = self._sessions.end_all(
            user_sub=user.sub, client=client, reason="account claimed", created_before=now
        )
        try:
            # Any refresh token Cognito issued that no session of ours holds any more.
            self._gateway.global_sign_out(username=user.username)
        except AuthError as error:
            log.warning("claim: global sign-out failed: %s", error.failure.value)
        with session_scope(self._engine) as db:
            removed = credential_store.delete_all_passkeys(db, user.sub)
        self._settle(user, client)
        outcome = ProofOutcome(
            kind=MailboxProof.CLAIMED, passkeys_removed=removed, sessions_ended=ended
        )
        self._audit.write(
            AuditEventType.ACCOUNT_CLAIMED,
            "success",
            client,
            email=user.email,
            user_sub=user.sub,
            detail=f"passkeys_removed={removed} sessions_ended={ended}",
        )
        return outcome

    def _settle(self, user: CognitoUser, client: ClientInfo) -> None:
        """The address is proven: Cognito's email_verified first, then our flag, so a
        failure at Cognito leaves the account provisional (and the proof can be retried)."""
        self._gateway.mark_email_verified(username=user.username)
        with session_scope(self._engine) as db:
            owner = db.get(WebAuthnUser, user.sub)
            if owner is not None:
                owner.email_unconfirmed_since = None
                db.add(owner)
        if self._notices is not None:
            self._notices.email_confirmed(to=user.email, client=client)

    def sweep(self) -> int:
        """Delete the accounts still unconfirmed after the lifetime (the Cognito user, its
        passkeys and sessions); return how many. An address confirmed some other way
        (an admin set email_verified) only loses the provisional flag. Sign-ups that
        failed and could not undo themselves are settled too (HalfMadeAccounts)."""
        self._half_made.sweep()
        cutoff = self._clock() - self._lifetime
        with session_scope(self._engine) as db:
            stale = list(
                db.exec(
                    select(WebAuthnUser).where(col(WebAuthnUser.email_unconfirmed_since) < cutoff)
                ).all()
            )
        deleted = 0
        for owner in stale:
            try:
                deleted += self._expire(owner)
            except AuthError as error:
                log.warning("provisional sweep: kept one account: %s", error.failure.value)
        return deleted

    def _expire(self, owner: WebAuthnUser) -> int:
        user = self._gateway.find_user(email=owner.username)
        if user is not None and user.sub != owner.user_sub:
            user = None  # the username now names someone else: leave Cognito alone
        if user is not None and user.attributes.get("email_verified") == "true":
            with session_scope(self._engine) as db:
                row = db.get(WebAuthnUser, owner.user_sub)
                if row is not None:
                    row.email_unconfirmed_since = None
                    db.add(row)
            return 0
        self._sessions.end_all(user_sub=owner.user_sub, client=ClientInfo(), reason="expired")
        if user is not None:
            self._gateway.delete_user(username=user.username)
        with session_scope(self._engine) as db:
            db.execute(delete(WebAuthnUser).where(col(WebAuthnUser.user_sub) == owner.user_sub))
        since = as_utc(owner.email_unconfirmed_since) if owner.email_unconfirmed_since else None
        self._audit.write(
            AuditEventType.ACCOUNT_EXPIRED,
            "success",
            ClientInfo(),
            email=user.email if user else None,
            user_sub=owner.user_sub,
            detail=f"unconfirmed since {since:%Y-%m-%d}" if since else "unconfirmed",
        )
        return 1
