"""Half-made accounts: a passkey sign-up's Cognito user left without a passkey.

A sign-up creates its Cognito user before it stores the passkey. When a later step fails
and Cognito cannot be reached to delete that user again, or the worker dies half-way,
the user would stay behind with no way in, and its address could never sign up again.
So every sign-up keeps a row (``SignupAttempt``) from just before the Cognito user is
created until the sign-up has finished or been undone. A row left behind is settled
later, by the next sign-up of the same address and by the periodic sweep.

Settling deletes a Cognito user only when it is the attempt's own and has no passkey:
the sub the attempt recorded or, when the create's answer was lost, a user made by a
passkey sign-up that the relying party has no row for. Any other account of the address
(a finished sign-up, a password account, a sign-up by email link) is left alone.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import delete, or_, update
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from passkey_app.db import session_scope
from passkey_app.models import SignupAttempt, WebAuthnUser
from passkey_app.services.audit import AuditEventType, AuditTrail, ClientInfo
from passkey_app.services.clock import Clock, system_clock
from passkey_app.services.cognito.gateway import (
    CREATED_BY_PASSKEY_ATTRIBUTE,
    CognitoGateway,
    CognitoUser,
)
from passkey_app.services.errors import AuthError
from passkey_app.services.webauthn import credential_store

log = logging.getLogger(__name__)

STALE_AFTER = timedelta(minutes=10)
"""No sign-up takes this long (a few Cognito calls with short timeouts): an attempt still
in flight after it belongs to a worker that died."""


class HalfMadeAccounts:
    """Keeps track of sign-ups in flight, and removes what a failed one left behind."""

    def __init__(self, *, engine: Engine, gateway: CognitoGateway, clock: Clock = system_clock):
        self._engine = engine
        self._gateway = gateway
        self._clock = clock
        self._audit = AuditTrail(engine, clock)

    def start(self, email: str) -> int:
        """A sign-up of ``email`` is about to create its Cognito user: the attempt's id."""
        with session_scope(self._engine) as db:
            row = SignupAttempt(email=email, started_at=self._clock())
            db.add(row)
            db.flush()
            assert row.id is not None
            return row.id

    def created(self, attempt: int, *, user_sub: str) -> None:
        """Cognito answered: the attempt's user is ``user_sub``."""
        self._update(attempt, user_sub=user_sub)

    def owe_undo(self, attempt: int) -> None:
        """The sign-up failed and could not delete its Cognito user (or could not learn
        whether one was made): settle it later."""
        self._update(attempt, undo_owed=True)

    def finished(self, attempt: int) -> None:
        """The sign-up finished, or was fully undone: nothing to settle."""
        with session_scope(self._engine) as db:
            db.execute(delete(SignupAttempt).where(col(SignupAttempt.id) == attempt))

    def settle(self, email: str) -> None:
        """Before a new sign-up of ``email``: remove what its earlier attempts left.
        Raises AuthError when Cognito cannot be reached (the new sign-up cannot either)."""
        for row in self._unsettled(SignupAttempt.email == email):
            self._settle(row)

    def sweep(self) -> int:
        """Settle every attempt left behind; return how many Cognito users were removed.
        An attempt Cognito cannot settle now stays for the next sweep."""
        removed = 0
        for row in self._unsettled():
            try:
                removed += self._settle(row)
            except AuthError as error:
                log.warning("half-made sweep: kept one attempt: %s", error.failure.value)
        return removed

    def _update(self, attempt: int, **values: object) -> None:
        with session_scope(self._engine) as db:
            db.execute(
                update(SignupAttempt).where(col(SignupAttempt.id) == attempt).values(**values)
            )

    def _unsettled(self, *where: object) -> list[SignupAttempt]:
        stale = self._clock() - STALE_AFTER
        with session_scope(self._engine) as db:
            query = select(SignupAttempt).where(
                or_(col(SignupAttempt.undo_owed), col(SignupAttempt.started_at) < stale),
                *where,  # type: ignore[arg-type]
            )
            return list(db.exec(query.order_by(col(SignupAttempt.id))).all())

    def _settle(self, row: SignupAttempt) -> int:
        user = self._gateway.find_user(email=row.email)
        removed = 0
        if user is not None and self._left_behind(row, user):
            with session_scope(self._engine) as db:
                db.execute(delete(WebAuthnUser).where(col(WebAuthnUser.user_sub) == user.sub))
            self._gateway.delete_user(username=user.username)
            self._audit.write(
                AuditEventType.SIGNUP_PASSKEY,
                "undone",
                ClientInfo(),
                email=row.email,
                user_sub=user.sub,
                detail="half-made account removed",
            )
            removed = 1
        self.finished(row.id or 0)
        return removed

    def _left_behind(self, row: SignupAttempt, user: CognitoUser) -> bool:
        with session_scope(self._engine) as db:
            if credential_store.credential_ids(db, user.sub):
                return False  # it has a passkey: a finished account, whatever happened after
            known = credential_store.find_user(db, user.sub) is not None
        if row.user_sub is not None:
            return user.sub == row.user_sub
        made_by_signup = user.attributes.get(f"custom:{CREATED_BY_PASSKEY_ATTRIBUTE}") == "true"
        return made_by_signup and not known
