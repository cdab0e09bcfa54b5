"""Sessions and devices: a signed-in person's own sessions, listed and ended.

Ending sessions is protective, so unlike the changes DESIGN.md "Throttling" lists (add,
rename or remove a passkey; the password; deletion) it needs no sign-in younger than
five minutes: someone who fears a stolen session must be able to end it at once, and the
worst an intruder in this session can do with it is sign the owner out of their other
browsers, which a fresh sign-in undoes (and the intruder keeps nothing more).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from passkey_app.models import BrowserSession
from passkey_app.services.audit import ClientInfo
from passkey_app.services.clock import as_utc
from passkey_app.services.errors import UserFacingError
from passkey_app.services.sessions.store import SessionStore, SignedInUser
from passkey_app.services.user_agent import Device, describe

SESSION_ENDED = "That session has already ended."
THIS_DEVICE = "Use Sign out at the top of the page to end this session."


class SessionNotFoundError(UserFacingError):
    """No live session of this person has that id (ended, or someone else's)."""

    @property
    def user_message(self) -> str:
        """The sentence to show."""
        return SESSION_ENDED


class CurrentSessionError(UserFacingError):
    """The list's "Sign out" is for other sessions; this one signs out from the header."""

    @property
    def user_message(self) -> str:
        """The sentence to show."""
        return THIS_DEVICE


@dataclass(frozen=True)
class SessionSummary:
    """One row of "Sessions and devices"."""

    id: int
    device: Device
    ip_address: str
    method: str
    """The sign-in method's stored value (``SignInMethod``)."""
    signed_in_at: datetime
    last_active_at: datetime
    current: bool
    passkey_id: int | None


def _summary(row: BrowserSession, current_id: int | None) -> SessionSummary:
    assert row.id is not None
    return SessionSummary(
        id=row.id,
        device=describe(row.user_agent),
        ip_address=row.ip_address,
        method=row.auth_method,
        signed_in_at=as_utc(row.created_at),
        last_active_at=as_utc(row.last_seen_at),
        current=row.id == current_id,
        passkey_id=row.passkey_id,
    )


class SessionDevices:
    """What the account page's "Sessions and devices" card reads and does."""

    def __init__(self, *, sessions: SessionStore) -> None:
        self._sessions = sessions

    def list(self, *, user: SignedInUser, session_id: str) -> tuple[SessionSummary, ...]:
        """The person's live sessions, this one first, then by last activity."""
        current_id = self._sessions.row_id(session_id)
        rows = self._sessions.live_rows(user.sub)
        summaries = [_summary(row, current_id) for row in rows]
        return tuple(sorted(summaries, key=lambda s: not s.current))

    def end(
        self, *, user: SignedInUser, session_row: int, session_id: str, client: ClientInfo
    ) -> None:
        """Sign out one of the person's other sessions (its refresh token revoked).
        SessionNotFoundError for an id that is not theirs or no longer live: nothing
        changes then; CurrentSessionError for this very session."""
        if session_row == self._sessions.row_id(session_id):
            raise CurrentSessionError
        ended = self._sessions.end_rows(
            user_sub=user.sub, row_ids=(session_row,), client=client, reason="signed out remotely"
        )
        if ended != 1:
            raise SessionNotFoundError

    def end_others(self, *, user: SignedInUser, session_id: str, client: ClientInfo) -> int:
        """Sign out every session of the person but this one; how many ended."""
        current_id = self._sessions.row_id(session_id)
        others = [row.id for row in self._sessions.live_rows(user.sub) if row.id != current_id]
        return self._sessions.end_rows(
            user_sub=user.sub,
            row_ids=[row_id for row_id in others if row_id is not None],
            client=client,
            reason="signed out by the person",
        )

    def opened_by_passkeys(self, *, user: SignedInUser, session_id: str) -> Mapping[int, int]:
        """How many of the person's other live sessions each passkey signed in."""
        current_id = self._sessions.row_id(session_id)
        counts: dict[int, int] = {}
        for row in self._sessions.live_rows(user.sub):
            if row.passkey_id is not None and row.id != current_id:
                counts[row.passkey_id] = counts.get(row.passkey_id, 0) + 1
        return counts

    def end_opened_by(
        self, *, user: SignedInUser, passkey_id: int, session_id: str, client: ClientInfo
    ) -> int:
        """Sign out the person's other sessions that one passkey signed in; how many."""
        current_id = self._sessions.row_id(session_id)
        rows = [
            row.id
            for row in self._sessions.live_rows(user.sub)
            if row.passkey_id == passkey_id and row.id != current_id and row.id is not None
        ]
        return self._sessions.end_rows(
            user_sub=user.sub, row_ids=rows, client=client, reason="passkey removed"
        )
