"""CUSTOM_AUTH sessions: opaque strings, one per round, single use, expiring.

Cognito hands out a new Session string with every challenge, rejects one that was
already answered, and lets it expire after the app client's AuthSessionValidity
minutes. The store keeps that state in memory, behind a lock; the clock is an
attribute so tests can move time instead of sleeping.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from moto.cognitoidp.exceptions import NotAuthorizedError

from passkey_app.local_cognito import errors

# An expired session is remembered this long so it can be told apart from a bad one.
_EXPIRED_GRACE_SECONDS = 15 * 60
_TOKEN_BYTES = 144


@dataclass(frozen=True)
class ChallengeResult:
    """One answered round, as the define trigger sees it in ``request.session``."""

    challenge_name: str
    challenge_result: bool
    challenge_metadata: str | None

    def to_event(self) -> dict[str, object]:
        """The entry of ``request.session`` in AWS's event shape."""
        return {
            "challengeName": self.challenge_name,
            "challengeResult": self.challenge_result,
            "challengeMetadata": self.challenge_metadata,
        }


@dataclass(frozen=True)
class AuthSession:
    """What a Session string stands for: whose round it is and what was asked."""

    account_id: str
    region: str
    user_pool_id: str
    client_id: str
    username: str
    user_found: bool
    challenge_name: str
    challenge_metadata: str | None
    private_parameters: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    history: tuple[ChallengeResult, ...] = ()


@dataclass(frozen=True)
class _Entry:
    session: AuthSession
    expires_at: float


class SessionStore:
    """Issues and consumes Session strings; safe to share between threads."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self._entries: dict[str, _Entry] = {}

    def issue(self, session: AuthSession, *, validity_seconds: float) -> str:
        """Store ``session`` and return the new opaque string that names it."""
        token = secrets.token_urlsafe(_TOKEN_BYTES)
        with self._lock:
            now = self.clock()
            self._purge(now)
            self._entries[token] = _Entry(session, now + validity_seconds)
        return token

    def consume(self, token: object) -> AuthSession:
        """The session named by ``token``, which can never be used again.

        Raises NotAuthorizedException, as Cognito does, for an unknown, used or
        expired session.
        """
        if not isinstance(token, str) or not token:
            raise NotAuthorizedError(errors.INVALID_SESSION)
        with self._lock:
            entry = self._entries.pop(token, None)
            now = self.clock()
        if entry is None:
            raise NotAuthorizedError(errors.INVALID_SESSION)
        if now >= entry.expires_at:
            raise NotAuthorizedError(errors.EXPIRED_SESSION)
        return entry.session

    def clear(self) -> None:
        """Forget every session (moto's state was reset, or a test starts afresh)."""
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def _purge(self, now: float) -> None:
        cutoff = now - _EXPIRED_GRACE_SECONDS
        for token in [t for t, e in self._entries.items() if e.expires_at < cutoff]:
            del self._entries[token]


_STORE = SessionStore()


def session_store() -> SessionStore:
    """The process-wide store used by the installed extension."""
    return _STORE
