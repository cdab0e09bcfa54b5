"""Signing in with the code from the link mail, in the browser that asked for the mail.

Every link request gets a row keyed by the browser's binding value (the HttpOnly cookie
the request route sets), whether or not the address has an account; a mailed code is put
on it. A code is found only through that row, so typed in any other browser it matches
nothing. A try is counted before the comparison; the fifth wrong one kills the code; a
right one redeems the link the code was mailed with (using one uses the other).
Wrong codes count against the address and the IP (services/throttle.py), and an address
without an account costs the same work: the same row, the same counted try, the same
comparisons against a code that is not there.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine

from lambdas.proof import KeyRing
from passkey_app.db import session_scope
from passkey_app.models import EmailCode, MagicLink
from passkey_app.services.audit import AuditEventType, AuditTrail, ClientInfo
from passkey_app.services.clock import Clock, system_clock
from passkey_app.services.errors import AuthError, AuthFailure
from passkey_app.services.magic_links import codes, store
from passkey_app.services.throttle import Throttle


@dataclass(frozen=True)
class MailedCode:
    """A code put on a request's row, for the mail (None when the request has no row)."""

    code: str


class SignInCodes:
    """Rows for requests, codes for mails, and checking what a person typed."""

    def __init__(self, *, engine: Engine, key_ring: KeyRing, clock: Clock = system_clock) -> None:
        self._engine = engine
        self._hasher = codes.CodeHasher(key_ring)
        self._clock = clock
        self._throttle = Throttle(engine, clock)
        self._trail = AuditTrail(engine, clock)

    def open(self, *, email: str, binding: str) -> None:
        """The row of one request, made before anything depends on the account."""
        binding_hash = codes.binding_digest(binding)
        if binding_hash is None:
            return
        with session_scope(self._engine) as db:
            codes.open_slot(
                db, email_hash=store.digest(email), binding_hash=binding_hash, now=self._clock()
            )

    def mail_code(self, *, binding: str, link_id: int, user_sub: str | None) -> MailedCode | None:
        """A new code for the link just stored, on this request's row; None when the
        request has none (a confirmation mail; a row already swept)."""
        binding_hash = codes.binding_digest(binding)
        if binding_hash is None:
            return None
        code = codes.new_code()
        with session_scope(self._engine) as db:
            attached = codes.attach(
                db,
                binding_hash=binding_hash,
                code_hash=self._hasher.digest(code, binding_hash=binding_hash),
                link_id=link_id,
                user_sub=user_sub,
                now=self._clock(),
            )
        return MailedCode(code=code) if attached else None

    def redeem(self, *, typed: str, binding: str, client: ClientInfo) -> MagicLink:
        """The link the typed code stands for, used now; AuthError CODE_INVALID (wrong, or
        no request from this browser), CODE_EXPIRED (dead, expired, used, or its link
        used or superseded) or THROTTLED (with the wait)."""
        code = codes.parse(typed)
        if code is None:
            raise AuthError(AuthFailure.CODE_INVALID, "malformed")
        binding_hash = codes.binding_digest(binding) or ""
        with session_scope(self._engine) as db:
            row = codes.find(db, binding_hash) if binding_hash else None
        try:
            return self._throttle.code_attempt(
                account=row.email_hash if row is not None else None,
                client=client,
                attempt=lambda: self._compare(row, code, binding_hash),
            )
        except AuthError as error:
            outcome = "throttled" if error.failure is AuthFailure.THROTTLED else "failure"
            self._audit(outcome, row, client, f"code: {error.detail}")
            raise

    def _compare(self, row: EmailCode | None, code: str, binding_hash: str) -> MagicLink:
        now = self._clock()
        if row is None or row.id is None:
            self._hasher.matches(None, code=code, binding_hash=binding_hash)
            raise AuthError(AuthFailure.CODE_INVALID, "no request from this browser")
        with session_scope(self._engine) as db:
            counted = codes.take_try(db, row.id, now=now)
        if not counted:
            raise AuthError(AuthFailure.CODE_EXPIRED, _why_dead(row))
        if not self._hasher.matches(row.code_hash, code=code, binding_hash=binding_hash):
            raise AuthError(AuthFailure.CODE_INVALID, f"wrong (try {row.tries + 1})")
        with session_scope(self._engine) as db:
            link = None
            if codes.use(db, row.id, now=now) and row.link_id is not None:
                link = store.consume_id(db, row.link_id, now=now)
        if link is None:
            raise AuthError(AuthFailure.CODE_EXPIRED, "link used or superseded")
        return link

    def _audit(self, outcome: str, row: EmailCode | None, client: ClientInfo, detail: str) -> None:
        self._trail.write(
            AuditEventType.MAGIC_LINK_REDEEM,
            outcome,
            client,
            user_sub=row.user_sub if row is not None else None,
            detail=detail,
        )


def _why_dead(row: EmailCode) -> str:
    if row.used_at is not None:
        return "used"
    if row.tries >= codes.MAX_TRIES:
        return "too many wrong tries"
    return "expired"
