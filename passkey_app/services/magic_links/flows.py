"""Flow 3: email magic links, for devices without passkeys and for recovery.

A request answers at once and the same way for every address: the lookup, the
per-account limit, the policy and the mail happen in the background, so neither
the answer nor its timing tells whether an account exists. Redeeming a link
consumes it once, then mints the Cognito session through CUSTOM_AUTH with a proof
of method ``magic_link``. A link opened in another browser than the one that asked
for it needs a confirmation click first. The mail also carries a sign-in code for the
browser that asked (code_sign_in.py): it uses the same link, with method ``email_code``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import partial

from sqlalchemy.engine import Engine

from lambdas.proof import KeyRing
from passkey_app.db import session_scope
from passkey_app.models import MagicLink
from passkey_app.services.accounts.provisional import ProvisionalAccounts
from passkey_app.services.audit import AuditEventType, AuditTrail, ClientInfo
from passkey_app.services.background import Runner, run_now
from passkey_app.services.clock import Clock, as_utc, system_clock
from passkey_app.services.cognito.gateway import CognitoGateway, CognitoUser
from passkey_app.services.errors import AuthError, AuthFailure
from passkey_app.services.identity import normalize_email
from passkey_app.services.magic_links import accounts, codes, store
from passkey_app.services.magic_links.code_sign_in import SignInCodes
from passkey_app.services.magic_links.store import LinkPurpose
from passkey_app.services.mail.mailer import MailNotSentError, SesMailer
from passkey_app.services.mail.templates import link_mail
from passkey_app.services.rate_limit import prune as prune_limits
from passkey_app.services.rate_limit import take
from passkey_app.services.sessions.store import LoginSucceeded, SessionStore, SignedInUser
from passkey_app.services.sign_in import SignInMethod, SignInStep, VerifiedByApp
from passkey_app.services.throttle import (
    LONGEST_WINDOW,
    MAGIC_LINKS_PER_ACCOUNT,
    Reservation,
    Throttle,
)
from passkey_app.services.webauthn.credential_store import PasskeySummary

log = logging.getLogger(__name__)

LINK_LIFETIME = timedelta(minutes=15)
# Old links and finished rate-limit windows are swept from the background work of a
# request, at most this often: the tables stay small without a scheduler.
SWEEP_INTERVAL = timedelta(minutes=10)
KEEP_EXPIRED_LINKS = timedelta(days=1)
KEEP_LIMIT_WINDOWS = LONGEST_WINDOW


@dataclass(frozen=True)
class LinkPolicy:
    """What the pool's owner decided about links."""

    refuse_passkey_users: bool = False
    """People with passkeys get no links: the weaker factor cannot bypass the stronger."""


@dataclass(frozen=True)
class LinkRequested:
    """The one answer every well-formed request gets, account or not."""

    minutes: int = int(LINK_LIFETIME.total_seconds() // 60)


class LinkStatus(StrEnum):
    """What the landing page does with a link."""

    READY = "ready"
    CONFIRM = "confirm"
    INVALID = "invalid"


@dataclass(frozen=True)
class LinkCheck:
    """A link looked at without using it."""

    status: LinkStatus
    email: str = ""
    signup: bool = False


class ConfirmationRequiredError(Exception):
    """The link was opened in another browser than the one that asked for it."""


@dataclass(frozen=True)
class EmailConfirmed:
    """A confirmation link opened where the account is signed in: nothing else changes."""

    user_sub: str


class MagicLinks:
    """Request, check and redeem email links."""

    def __init__(
        self,
        *,
        engine: Engine,
        gateway: CognitoGateway,
        sessions: SessionStore,
        key_ring: KeyRing,
        mailer: SesMailer,
        provisional: ProvisionalAccounts,
        link_url: str,
        product: str,
        policy: LinkPolicy = LinkPolicy(),
        runner: Runner = run_now,
        clock: Clock = system_clock,
    ) -> None:
        self._engine = engine
        self._gateway = gateway
        self._mailer = mailer
        self._provisional = provisional
        self._link_url = link_url
        self._product = product
        self._policy = policy
        self._runner = runner
        self._clock = clock
        self._trail = AuditTrail(engine, clock)
        self._throttle = Throttle(engine, clock)
        self._sign_in = SignInStep(gateway=gateway, sessions=sessions, key_ring=key_ring)
        self._codes = SignInCodes(engine=engine, key_ring=key_ring, clock=clock)
        self._last_sweep: datetime | None = None

    @property
    def policy(self) -> LinkPolicy:
        """The link policy in force (the login page offers links accordingly)."""
        return self._policy

    def request(
        self, *, email: str, purpose: LinkPurpose, binding: str, client: ClientInfo
    ) -> LinkRequested:
        """Accept a request; the account-dependent work runs in the background."""
        normalized = normalize_email(email)
        if normalized is None:
            self._audit(
                AuditEventType.MAGIC_LINK_REQUEST, "refused", None, None, client, "invalid email"
            )
            raise AuthError(AuthFailure.INVALID_EMAIL, "link email rejected")
        try:
            self._throttle.link_request(client)
        except AuthError:
            self._audit(
                AuditEventType.MAGIC_LINK_REQUEST, "throttled", normalized, None, client, "ip"
            )
            raise
        self._runner(partial(self._deliver, normalized, purpose, binding, client))
        return LinkRequested()

    def send_confirmation(self, *, email: str, user_sub: str, client: ClientInfo) -> None:
        """Mail a "confirm your email" link to a provisional account, in the background.
        It lasts as long as the account may stay unconfirmed."""
        self._runner(
            partial(
                self._send,
                email,
                LinkPurpose.CONFIRM,
                user_sub,
                "",
                client,
                self._provisional.lifetime,
            )
        )

    def resend_confirmation(self, *, email: str, user_sub: str, client: ClientInfo) -> None:
        """ "Send the link again" from the account page, at most once a minute per account
        (AuthError THROTTLED, saying when, otherwise)."""
        self._throttle.reserve((MAGIC_LINKS_PER_ACCOUNT, email))
        self.send_confirmation(email=email, user_sub=user_sub, client=client)

    def _sweep_if_due(self) -> None:
        now = self._clock()
        if self._last_sweep is not None and now - self._last_sweep < SWEEP_INTERVAL:
            return
        self._last_sweep = now
        with session_scope(self._engine) as db:
            store.prune(db, expired_before=now - KEEP_EXPIRED_LINKS)
            codes.prune(db, expired_before=now - KEEP_EXPIRED_LINKS)
        prune_limits(self._engine, started_before=now - KEEP_LIMIT_WINDOWS)
        self._provisional.sweep()

    def _deliver(self, email: str, purpose: LinkPurpose, binding: str, client: ClientInfo) -> None:
        self._sweep_if_due()
        self._codes.open(email=email, binding=binding)
        if not take(self._engine, MAGIC_LINKS_PER_ACCOUNT, subject=email, now=self._clock()):
            self._audit(
                AuditEventType.MAGIC_LINK_REQUEST, "throttled", email, None, client, "account"
            )
            return
        try:
            user = self._gateway.find_user(email=email)
        except AuthError as error:
            self._audit(
                AuditEventType.MAGIC_LINK_REQUEST,
                "failure",
                email,
                None,
                client,
                error.failure.value,
            )
            return
        if user is None and purpose is LinkPurpose.SIGNUP:
            self._send(email, LinkPurpose.SIGNUP, None, binding, client)
        elif user is None or not user.enabled:
            self._audit(
                AuditEventType.MAGIC_LINK_REQUEST, "refused", email, None, client, "no account"
            )
        elif self._refused(user):
            self._audit(
                AuditEventType.MAGIC_LINK_REQUEST,
                "refused",
                email,
                user.sub,
                client,
                "policy: has passkeys",
            )
        else:
            self._send(email, LinkPurpose.LOGIN, user.sub, binding, client)

    def _refused(self, user: CognitoUser) -> bool:
        """The policy may refuse links to people with passkeys, but never to a provisional
        account: a link is how the address's owner takes it back from a stranger."""
        return (
            self._policy.refuse_passkey_users
            and accounts.has_passkeys(self._engine, user.sub)
            and not self._provisional.is_provisional(user.sub)
        )

    def _send(
        self,
        email: str,
        purpose: LinkPurpose,
        sub: str | None,
        binding: str,
        client: ClientInfo,
        lifetime: timedelta = LINK_LIFETIME,
    ) -> None:
        with session_scope(self._engine) as db:
            issued = store.issue(
                db,
                email=email,
                purpose=purpose,
                user_sub=sub,
                binding=binding,
                now=self._clock(),
                lifetime=lifetime,
            )
        mailed = self._codes.mail_code(binding=binding, link_id=issued.link_id, user_sub=sub)
        mail = link_mail(
            to=email,
            url=f"{self._link_url}?token={issued.token}",
            purpose=purpose.value,
            lifetime=lifetime,
            product=self._product,
            code=codes.grouped(mailed.code) if mailed else None,
            code_lifetime=codes.CODE_LIFETIME,
        )
        try:
            self._mailer.send(mail)
        except MailNotSentError as error:
            self._audit(
                AuditEventType.MAGIC_LINK_REQUEST, "failure", email, sub, client, f"mail: {error}"
            )
            return
        self._audit(
            AuditEventType.MAGIC_LINK_REQUEST,
            "success",
            email,
            sub,
            client,
            f"purpose={purpose.value}",
        )

    def check(
        self, *, token: str, binding: str, client: ClientInfo, signed_in_sub: str | None = None
    ) -> LinkCheck:
        """What the landing page should do, without using the link. ``signed_in_sub`` is
        who this browser is signed in as: a confirmation link is "bound" to the account's
        own sessions, as a sign-in link is to the browser that asked for it."""
        with session_scope(self._engine) as db:
            row = store.find(db, token)
        problem = store.problem_with(row, now=self._clock())
        if row is None or problem is not None:
            self._audit_link(row, "failure", client, (problem or store.LinkProblem.UNKNOWN).value)
            return LinkCheck(status=LinkStatus.INVALID)
        signup = row.purpose == LinkPurpose.SIGNUP.value
        if _opened_where_expected(row, binding, signed_in_sub):
            return LinkCheck(status=LinkStatus.READY, email=row.email, signup=signup)
        self._audit_link(row, "confirm", client, "opened in another browser")
        return LinkCheck(status=LinkStatus.CONFIRM, email=row.email, signup=signup)

    def redeem(
        self,
        *,
        token: str,
        binding: str,
        confirmed: bool,
        client: ClientInfo,
        signed_in_sub: str | None = None,
    ) -> LoginSucceeded | EmailConfirmed:
        """Use the link once and sign the person in (creating the account for sign-up).
        Every link proves the mailbox: a provisional account is confirmed, or claimed
        by the prover when ``signed_in_sub`` is not the account (see ProvisionalAccounts)."""
        link = self._consume(token, binding, confirmed, client, signed_in_sub)
        return self._sign_in_with(link, client, signed_in_sub, SignInMethod.MAGIC_LINK)

    def redeem_code(
        self, *, code: str, binding: str, client: ClientInfo, signed_in_sub: str | None = None
    ) -> LoginSucceeded | EmailConfirmed:
        """Sign in with the code from the mail, typed in the browser that asked for it
        (``binding``): it uses the link it came with, and proves the mailbox as the link
        would. AuthError CODE_INVALID, CODE_EXPIRED or THROTTLED otherwise."""
        link = self._codes.redeem(typed=code, binding=binding, client=client)
        return self._sign_in_with(link, client, signed_in_sub, SignInMethod.EMAIL_CODE)

    def _sign_in_with(
        self,
        link: MagicLink,
        client: ClientInfo,
        signed_in_sub: str | None,
        method: SignInMethod,
    ) -> LoginSucceeded | EmailConfirmed:
        """The account a used link (or its code) stands for, signed in by ``method``."""
        by_code = method is SignInMethod.EMAIL_CODE
        created: CognitoUser | None = None
        slot: Reservation | None = None
        try:
            if link.purpose == LinkPurpose.SIGNUP.value:
                slot = self._throttle.signup(client)
                created = accounts.create_user(self._engine, self._gateway, link, at=self._clock())
                user = created
                notice = ""
            else:
                user = accounts.existing_user(self._gateway, link)
                if link.purpose == LinkPurpose.LOGIN.value and self._refused(user):
                    raise AuthError(AuthFailure.LINK_INVALID, "policy: has passkeys")
                proof = self._provisional.prove_mailbox(
                    user=user, signed_in_sub=signed_in_sub, client=client
                )
                if link.purpose == LinkPurpose.CONFIRM.value and signed_in_sub == user.sub:
                    self._audit(
                        AuditEventType.MAGIC_LINK_REDEEM,
                        "success",
                        link.email,
                        user.sub,
                        client,
                        "confirm",
                    )
                    return EmailConfirmed(user_sub=user.sub)
                notice = proof.notice
            result = self._sign_in.complete(
                factor=VerifiedByApp(method=method, username=user.username, user_sub=user.sub),
                client=client,
                event_type=AuditEventType.MAGIC_LINK_REDEEM,
                email=link.email,
                detail=f"code: {link.purpose}" if by_code else link.purpose,
                notice=notice,
                new_account=created is not None,
            )
        except AuthError as error:
            if slot is not None:
                slot.give_back()
            if created is not None:
                accounts.undo_user(self._engine, self._gateway, created)
            reason = error.detail or error.failure.value
            self._audit_link(link, "failure", client, f"code: {reason}" if by_code else reason)
            if error.failure in (AuthFailure.THROTTLED, AuthFailure.UNAVAILABLE):
                raise
            dead = AuthFailure.CODE_EXPIRED if by_code else AuthFailure.LINK_INVALID
            raise AuthError(dead, error.detail) from error
        return result

    def _consume(
        self,
        token: str,
        binding: str,
        confirmed: bool,
        client: ClientInfo,
        signed_in_sub: str | None,
    ) -> MagicLink:
        now = self._clock()
        with session_scope(self._engine) as db:
            row = store.find(db, token)
            problem = store.problem_with(row, now=now)
            if (
                row is not None
                and problem is None
                and not (confirmed or _opened_where_expected(row, binding, signed_in_sub))
            ):
                raise ConfirmationRequiredError
            used = store.consume(db, token, now=now) if problem is None else None
        if used is None:
            reason = (problem or store.LinkProblem.USED).value
            self._audit_link(row, "failure", client, reason)
            raise AuthError(AuthFailure.LINK_INVALID, reason)
        return used

    def _audit_link(
        self, row: MagicLink | None, outcome: str, client: ClientInfo, detail: str
    ) -> None:
        email, sub = (row.email, row.user_sub) if row is not None else (None, None)
        self._audit(AuditEventType.MAGIC_LINK_REDEEM, outcome, email, sub, client, detail)

    def _audit(
        self,
        event_type: AuditEventType,
        outcome: str,
        email: str | None,
        sub: str | None,
        client: ClientInfo,
        detail: str,
    ) -> None:
        self._trail.write(event_type, outcome, client, email=email, user_sub=sub, detail=detail)


def _opened_where_expected(row: MagicLink, binding: str, signed_in_sub: str | None) -> bool:
    """A sign-in link in the browser that asked for it; a confirmation link in a browser
    signed in to the account it confirms."""
    if row.purpose == LinkPurpose.CONFIRM.value:
        return signed_in_sub is not None and signed_in_sub == row.user_sub
    return store.bound_to(row, binding)


def offer_passkey_after_link(user: SignedInUser, passkeys: Sequence[PasskeySummary]) -> bool:
    """After a link or code sign-in, ask for a passkey on this device until one is added."""
    if user.auth_method not in (SignInMethod.MAGIC_LINK, SignInMethod.EMAIL_CODE):
        return False
    return not any(as_utc(p.created_at) >= user.session_created_at for p in passkeys)
