"""Every limit of the app in one place, and the one way the services apply them.

The counters live in the database (services.rate_limit), so every worker and host shares
them. A refusal is ``AuthError(THROTTLED)`` carrying the seconds until the window ends,
and never depends on whether an account exists: a per-account limit counts against the
normalized address, whether or not anybody has it. Per-address limits count an IPv6
client's whole /64 (services.client_address.limit_subject).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy.engine import Engine

from passkey_app.services.audit import ClientInfo
from passkey_app.services.client_address import limit_subject
from passkey_app.services.clock import Clock, system_clock
from passkey_app.services.errors import AuthError, AuthFailure
from passkey_app.services.rate_limit import (
    RateLimit,
    give_back,
    prune,
    seconds_left,
    take_all,
)

log = logging.getLogger(__name__)

T = TypeVar("T")

PASSWORD_WINDOW = timedelta(minutes=15)
PASSWORD_FAILURES_PER_ACCOUNT = RateLimit("password-account", limit=10, window=PASSWORD_WINDOW)
"""Wrong passwords for one address (known or not), then a pause until the window ends."""
PASSWORD_FAILURES_PER_IP = RateLimit("password-ip", limit=50, window=PASSWORD_WINDOW)
"""Wrong passwords from one address, whichever accounts they were for."""

CEREMONY_STARTS_PER_TAB = RateLimit("ceremony-tab", limit=20, window=timedelta(minutes=1))
"""Passkey options (sign-in, sign-up, add, confirm) for one browser tab. A sign-in page
load makes two (the button and autofill), the email step one more, and each failed try
one or two: a person never comes near twenty in a minute."""
CEREMONY_STARTS_PER_IP = RateLimit("ceremony-ip", limit=120, window=timedelta(minutes=1))
"""The same from one address: a tab's key is chosen by the client, so this is what holds
against a script that makes a new "tab" per request, while an office behind one NAT can
still load the sign-in page sixty times a minute."""
LIVE_CHALLENGES_PER_TAB = 5
"""Unused, unexpired challenges one tab may hold (see ChallengeStore.issue)."""

SIGNUPS_PER_IP = RateLimit("signup-ip", limit=20, window=timedelta(hours=1))
"""Completed sign-ups (passkey or email link) from one address."""

MAGIC_LINKS_PER_ACCOUNT = RateLimit("magic-link-account", limit=1, window=timedelta(seconds=60))
"""Email links sent to one address (silently: the request's answer never changes)."""
MAGIC_LINK_REQUESTS_PER_IP = RateLimit("magic-link-ip", limit=10, window=timedelta(minutes=15))
"""Email-link requests from one address."""

INVITATIONS_PER_ADMIN = RateLimit("invite-admin", limit=30, window=timedelta(hours=1))
"""Invitations one admin sends (services/accounts/invitations.py): each makes an account
and a mail, so a stolen admin session cannot flood the pool or the mail quota."""
PASSWORD_RESET_REQUESTS_PER_IP = RateLimit(
    "password-reset-ip", limit=10, window=timedelta(minutes=15)
)
"""'Forgot your password?' requests from one address (refused with when to retry)."""
PASSWORD_RESET_CODES_PER_ACCOUNT = RateLimit(
    "password-reset-account", limit=1, window=timedelta(seconds=60)
)
"""Reset codes asked for one address (silently: the request's answer never changes)."""
RESET_CODE_FAILURES_PER_ACCOUNT = RateLimit("reset-code-account", limit=10, window=PASSWORD_WINDOW)
"""Wrong or dead reset codes typed for one address. With Cognito's six digits this holds a
guesser to 40 tries an hour (about one chance in a thousand a day)."""
RESET_CODE_FAILURES_PER_IP = RateLimit("reset-code-ip", limit=50, window=PASSWORD_WINDOW)
"""The same from one address, whichever accounts they were for."""
EMAIL_CODE_FAILURES_PER_ACCOUNT = RateLimit(
    "email-code-account", limit=10, window=timedelta(hours=1)
)
"""Wrong sign-in codes for one address (known or not) across its requests: each code
dies after 5, and a new one comes at most once a minute, so this is what bounds a
patient guesser (10 guesses an hour of 30^8 codes)."""
EMAIL_CODE_FAILURES_PER_IP = RateLimit("email-code-ip", limit=30, window=timedelta(minutes=15))
"""Wrong sign-in codes from one address, whichever accounts they were for."""

LONGEST_WINDOW = timedelta(hours=1)
"""No rule's window is longer: buckets whose window started before this are finished."""
SWEEP_INTERVAL = timedelta(minutes=10)
"""Finished buckets are deleted from a request at most this often, per Throttle: a script
inventing a tab per request leaves a bucket each, so the table must not wait for mail."""


@dataclass(frozen=True)
class Reservation:
    """Hits taken before an attempt; given back when the attempt turns out not to count."""

    engine: Engine
    hits: tuple[tuple[RateLimit, str], ...]
    taken_at: datetime

    def give_back(self) -> None:
        """Return every hit (each to the window it was taken in)."""
        for rule, subject in self.hits:
            give_back(self.engine, rule, subject=subject, taken_at=self.taken_at)


class Throttle:
    """Applies the limits above for the services, with their clock."""

    def __init__(self, engine: Engine, clock: Clock = system_clock) -> None:
        self._engine = engine
        self._clock = clock
        self._last_sweep: datetime | None = None

    def reserve(self, *hits: tuple[RateLimit, str]) -> Reservation:
        """Take one hit from each (rule, subject), all in one transaction; when one is
        full, take none and refuse with the seconds until that rule's window ends."""
        now = self._clock()
        self._sweep_if_due(now)
        full = take_all(self._engine, hits, now=now)
        if full is not None:
            subject = next(subject for rule, subject in hits if rule is full)
            wait = seconds_left(self._engine, full, subject=subject, now=now)
            log.info("throttled by %s for %d s", full.name, wait)
            raise AuthError(AuthFailure.THROTTLED, full.name, retry_after=wait)
        return Reservation(self._engine, hits, now)

    def _sweep_if_due(self, now: datetime) -> None:
        if self._last_sweep is not None and now - self._last_sweep < SWEEP_INTERVAL:
            return
        self._last_sweep = now
        prune(self._engine, started_before=now - LONGEST_WINDOW)

    def ceremony_start(self, client: ClientInfo) -> None:
        """Count one passkey ceremony start against the tab (when known) and the address.
        Callers take it before any lookup, so a refusal cannot hint at an account."""
        hits = [(CEREMONY_STARTS_PER_IP, limit_subject(client.ip_address))]
        if client.tab_key:
            hits.insert(0, (CEREMONY_STARTS_PER_TAB, client.tab_key))
        self.reserve(*hits)

    def signup(self, client: ClientInfo) -> Reservation:
        """A sign-up slot for the address, taken before the account is made (so a refusal
        makes nothing); the caller gives it back when the sign-up does not complete."""
        return self.reserve((SIGNUPS_PER_IP, limit_subject(client.ip_address)))

    def link_request(self, client: ClientInfo) -> None:
        """Count one email-link request against the address."""
        self.reserve((MAGIC_LINK_REQUESTS_PER_IP, limit_subject(client.ip_address)))

    def code_attempt(
        self, *, account: str | None, client: ClientInfo, attempt: Callable[[], T]
    ) -> T:
        """Run ``attempt`` (one sign-in code comparison for ``account``, the hash of the
        normalized address, None when this browser asked for no code) under the failure
        limits: only a wrong code (CODE_INVALID) keeps its slots, and while a limit is
        full the code is not even compared, so the right one is refused like a wrong one."""
        hits = [(EMAIL_CODE_FAILURES_PER_IP, limit_subject(client.ip_address))]
        if account:
            hits.insert(0, (EMAIL_CODE_FAILURES_PER_ACCOUNT, account))
        return self.failures_only(*hits, attempt=attempt, counts={AuthFailure.CODE_INVALID})

    def password_attempt(self, *, email: str, client: ClientInfo, attempt: Callable[[], T]) -> T:
        """Run ``attempt`` (one password check for the normalized ``email``) under the
        failure limits. A slot per account and per address is reserved first, so
        concurrent guesses cannot pass the limit; it is given back unless the password
        was wrong, so only failures count. While a limit is full the check is not even
        made: the right password is refused like a wrong one (no oracle)."""
        return self.failures_only(
            (PASSWORD_FAILURES_PER_ACCOUNT, email),
            (PASSWORD_FAILURES_PER_IP, limit_subject(client.ip_address)),
            attempt=attempt,
            counts={AuthFailure.INVALID_CREDENTIALS},
        )

    def reset_request(self, client: ClientInfo) -> None:
        """Count one 'Forgot your password?' request against the address."""
        self.reserve((PASSWORD_RESET_REQUESTS_PER_IP, limit_subject(client.ip_address)))

    def reset_code_attempt(self, *, email: str, client: ClientInfo, attempt: Callable[[], T]) -> T:
        """Run ``attempt`` (one reset code for the normalized ``email``) under the failure
        limits, as ``password_attempt`` does: only a wrong or dead code counts, and while
        a limit is full the code is not even tried."""
        return self.failures_only(
            (RESET_CODE_FAILURES_PER_ACCOUNT, email),
            (RESET_CODE_FAILURES_PER_IP, limit_subject(client.ip_address)),
            attempt=attempt,
            counts={AuthFailure.CODE_INVALID, AuthFailure.CODE_EXPIRED},
        )

    def failures_only(
        self,
        *hits: tuple[RateLimit, str],
        attempt: Callable[[], T],
        counts: Collection[AuthFailure],
    ) -> T:
        """Reserve a slot of each of ``hits``, run ``attempt``, and keep the slots only
        when it failed with one of the ``counts`` failures."""
        reservation = self.reserve(*hits)
        try:
            result = attempt()
        except AuthError as error:
            if error.failure not in counts:
                reservation.give_back()
            raise
        except BaseException:
            reservation.give_back()
            raise
        reservation.give_back()
        return result
