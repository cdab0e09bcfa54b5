"""Admin invitations: an admin names an address; the person gets an email link that signs
them in once, and the account page then offers them a passkey.

The Cognito user is made at once (AdminCreateUser with Cognito's own message suppressed,
the address marked verified since only its owner can use the link, and a random password
nobody knows, so CUSTOM_AUTH can sign them in). The link is an ordinary email link of
purpose ``invite`` (services/magic_links/store.py): the existing landing page and
redemption use it, once, and because no browser asked for it, whoever opens it is asked
"Sign in as … on this device?" first. It lasts three days. An address that already has an
account gets a clear refusal and nothing is made or sent; a mail that cannot be sent
undoes the account, so the admin can simply try again. Each invitation is audited with
the admin as the actor, and an admin may send at most 30 an hour.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlmodel import col

from passkey_app.db import session_scope
from passkey_app.models import MagicLink, WebAuthnUser
from passkey_app.services.accounts.errors import AccountError, AccountFailure
from passkey_app.services.accounts.passwordless import unknowable_password
from passkey_app.services.admin.service import AdminService
from passkey_app.services.audit import AuditEventType, AuditTrail, ClientInfo
from passkey_app.services.clock import Clock, system_clock
from passkey_app.services.cognito.gateway import CognitoGateway, CognitoUser
from passkey_app.services.errors import AuthError, AuthFailure
from passkey_app.services.identity import normalize_email
from passkey_app.services.magic_links import store
from passkey_app.services.magic_links.store import LinkPurpose
from passkey_app.services.mail.mailer import MailNotSentError, SesMailer
from passkey_app.services.mail.templates import link_mail
from passkey_app.services.sessions.store import SignedInUser
from passkey_app.services.throttle import INVITATIONS_PER_ADMIN, Throttle
from passkey_app.services.webauthn import credential_store

log = logging.getLogger(__name__)

INVITATION_LIFETIME = timedelta(days=3)


@dataclass(frozen=True)
class Invited:
    """The account an invitation made."""

    email: str
    user_sub: str


class Invitations:
    """Invite people by email, for members of ``admin`` only."""

    def __init__(
        self,
        *,
        engine: Engine,
        gateway: CognitoGateway,
        mailer: SesMailer,
        link_url: str,
        product: str,
        lifetime: timedelta = INVITATION_LIFETIME,
        clock: Clock = system_clock,
    ) -> None:
        """``link_url`` is the email-link route the mailed link opens."""
        self._engine = engine
        self._gateway = gateway
        self._mailer = mailer
        self._link_url = link_url
        self._product = product
        self._lifetime = lifetime
        self._clock = clock
        self._audit = AuditTrail(engine, clock)
        self._throttle = Throttle(engine, clock)

    def invite(self, admin: SignedInUser | None, *, email: str, client: ClientInfo) -> Invited:
        """Make the account for ``email`` and mail its invitation link. AdminError for a
        non-admin; AccountError for a bad or taken address or a mail not sent; AuthError
        THROTTLED past the admin's hourly limit."""
        admin = AdminService.require_admin(admin)
        address = normalize_email(email[:512])
        if address is None:
            raise AccountError(AccountFailure.INVALID_EMAIL)
        self._throttle.reserve((INVITATIONS_PER_ADMIN, admin.sub))
        if self._gateway.find_user(email=address) is not None:
            self._record("refused", admin, address, None, client, "account exists")
            raise AccountError(AccountFailure.ACCOUNT_EXISTS)
        try:
            user = self._gateway.create_invited_user(email=address, password=unknowable_password())
        except AuthError as error:
            if error.failure is AuthFailure.ACCOUNT_EXISTS:
                self._record("refused", admin, address, None, client, "account exists")
                raise AccountError(AccountFailure.ACCOUNT_EXISTS) from error
            self._record("failure", admin, address, None, client, error.failure.value)
            raise
        try:
            self._send(user)
        except Exception as error:
            self._undo(user)
            detail = f"mail: {error}" if isinstance(error, MailNotSentError) else "not sent"
            self._record("failure", admin, address, user.sub, client, detail)
            raise AccountError(AccountFailure.INVITATION_NOT_SENT, detail) from error
        self._record("success", admin, address, user.sub, client, "link sent")
        return Invited(email=address, user_sub=user.sub)

    def _send(self, user: CognitoUser) -> None:
        """The account's row (passwordless from now: its password is random) and its link,
        committed before the mail goes, so the link works the moment it arrives."""
        now = self._clock()
        with session_scope(self._engine) as db:
            owner = credential_store.ensure_user(
                db, user_sub=user.sub, username=user.username, at=now
            )
            owner.passwordless_since = now
            db.add(owner)
            token = store.issue(
                db,
                email=user.email,
                purpose=LinkPurpose.INVITE,
                user_sub=user.sub,
                binding="",
                now=now,
                lifetime=self._lifetime,
            ).token
        self._mailer.send(
            link_mail(
                to=user.email,
                url=f"{self._link_url}?token={token}",
                purpose=LinkPurpose.INVITE.value,
                lifetime=self._lifetime,
                product=self._product,
            )
        )

    def _undo(self, user: CognitoUser) -> None:
        """Remove what an invitation made when its mail could not go out."""
        try:
            with session_scope(self._engine) as db:
                db.execute(delete(MagicLink).where(col(MagicLink.user_sub) == user.sub))
                db.execute(delete(WebAuthnUser).where(col(WebAuthnUser.user_sub) == user.sub))
        except Exception:
            log.exception("invitation undo: could not remove the app's rows")
        try:
            self._gateway.delete_user(username=user.username)
        except AuthError as error:
            log.error("invitation undo: could not delete the Cognito user: %s", error.failure.value)

    def _record(
        self,
        outcome: str,
        admin: SignedInUser,
        email: str,
        user_sub: str | None,
        client: ClientInfo,
        detail: str,
    ) -> None:
        self._audit.write(
            AuditEventType.ADMIN_USER_INVITE,
            outcome,
            client,
            email=email,
            user_sub=user_sub,
            actor_sub=admin.sub,
            detail=detail,
        )
