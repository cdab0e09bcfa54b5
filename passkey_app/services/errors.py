"""What can go wrong at sign-in, and the one short sentence a person is shown for it.

Naming rule: every exception class ends in ``Error``; one that a page shows to the
person derives from ``UserFacingError`` and says what to show in ``user_message``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from enum import StrEnum
from typing import Any, ClassVar, Generic, TypeVar


class AuthFailure(StrEnum):
    """A sign-in failure, named for what the person can do about it."""

    INVALID_CREDENTIALS = "invalid_credentials"
    PASSWORD_RESET_REQUIRED = "password_reset_required"  # noqa: S105 (a name, not a secret)
    USER_NOT_CONFIRMED = "user_not_confirmed"
    THROTTLED = "throttled"
    UNAVAILABLE = "unavailable"
    INVALID_NEW_PASSWORD = "invalid_new_password"  # noqa: S105 (a name, not a secret)
    CHALLENGE_EXPIRED = "challenge_expired"
    SESSION_EXPIRED = "session_expired"
    UNEXPECTED = "unexpected"
    PASSKEY_REJECTED = "passkey_rejected"
    PASSKEY_ALREADY_REGISTERED = "passkey_already_registered"
    INVALID_EMAIL = "invalid_email"
    ACCOUNT_EXISTS = "account_exists"
    SIGNUP_NOT_COMPLETED = "signup_not_completed"
    REAUTHENTICATION_REQUIRED = "reauthentication_required"
    LAST_WAY_IN = "last_way_in"
    PASSKEY_NOT_FOUND = "passkey_not_found"
    INVALID_PASSKEY_NAME = "invalid_passkey_name"
    LINK_INVALID = "link_invalid"
    BUSY = "busy"
    CODE_INVALID = "code_invalid"
    CODE_EXPIRED = "code_expired"


_SIGNUP_FAILED = (
    "We couldn't create an account with that email. If you already have one, "
    "sign in instead; otherwise try again."
)

MESSAGES: dict[AuthFailure, str] = {
    AuthFailure.INVALID_CREDENTIALS: "That email and password don't match an account.",
    AuthFailure.PASSWORD_RESET_REQUIRED: (
        'Your password must be reset. Choose a new one with "Forgot your password?".'
    ),
    AuthFailure.USER_NOT_CONFIRMED: "This account isn't confirmed yet. Check your email.",
    AuthFailure.THROTTLED: "Too many attempts. Wait a minute and try again.",
    AuthFailure.UNAVAILABLE: "Sign-in is unavailable right now. Try again shortly.",
    AuthFailure.INVALID_NEW_PASSWORD: "That password doesn't meet the password policy.",
    AuthFailure.CHALLENGE_EXPIRED: "That took too long. Start again.",
    AuthFailure.SESSION_EXPIRED: "Your session has ended. Sign in again.",
    AuthFailure.UNEXPECTED: "Something went wrong. Try again.",
    AuthFailure.PASSKEY_REJECTED: (
        "That passkey couldn't be verified. Try again or use another way to sign in."
    ),
    AuthFailure.PASSKEY_ALREADY_REGISTERED: "That passkey is already registered.",
    AuthFailure.INVALID_EMAIL: "Enter a valid email address.",
    # Deliberately the same words: a failed sign-up never says whether the email is taken.
    AuthFailure.ACCOUNT_EXISTS: _SIGNUP_FAILED,
    AuthFailure.SIGNUP_NOT_COMPLETED: _SIGNUP_FAILED,
    AuthFailure.REAUTHENTICATION_REQUIRED: "Confirm it's you first.",
    AuthFailure.LAST_WAY_IN: (
        "This is your only way to sign in. Add another passkey before removing this one."
    ),
    AuthFailure.PASSKEY_NOT_FOUND: "That passkey no longer exists.",
    AuthFailure.INVALID_PASSKEY_NAME: "Use a name of 1 to 64 characters.",
    AuthFailure.LINK_INVALID: (
        "That link has expired or was already used. Ask for a new one from the sign-in page."
    ),
    AuthFailure.BUSY: "The sign-in service is busy. Try again in a moment.",
    AuthFailure.CODE_INVALID: "That code isn't right. Check the email and try again.",
    AuthFailure.CODE_EXPIRED: "That code has expired or was already used. Ask for a new one.",
}


def throttled_message(retry_after: int) -> str:
    """The refusal of a limit, saying when to try again (rounded up, so never too early)."""
    if retry_after < 60:
        seconds = max(1, retry_after)
        return f"Too many attempts. Try again in {seconds} second{'s' if seconds > 1 else ''}."
    minutes = math.ceil(retry_after / 60)
    return f"Too many attempts. Try again in {minutes} minute{'s' if minutes > 1 else ''}."


class UserFacingError(Exception):
    """A failure a page shows to the person: ``user_message`` is one short, safe
    sentence, so a page can catch this one base whatever the service."""

    @property
    def user_message(self) -> str:
        """The sentence to show."""
        raise NotImplementedError


Failure = TypeVar("Failure", bound=StrEnum)


class RefusalError(UserFacingError, Generic[Failure]):
    """A refused or failed call named by one ``failure`` of a service's enum; ``detail`` is
    for logs, never for people. A subclass names the sentence of each in ``messages``."""

    messages: ClassVar[Mapping[Any, str]]

    def __init__(self, failure: Failure, detail: str = "") -> None:
        super().__init__(f"{failure.value}: {detail}" if detail else failure.value)
        self.failure = failure
        self.detail = detail

    @property
    def user_message(self) -> str:
        """The sentence to show."""
        return self.messages[self.failure]


class AuthError(UserFacingError):
    """A failure with a safe, generic message; ``detail`` is for logs, never for people.
    ``retry_after`` (seconds) is set on a refusal by one of the app's own limits."""

    def __init__(
        self,
        failure: AuthFailure,
        detail: str = "",
        *,
        user_message: str = "",
        retry_after: int = 0,
    ) -> None:
        super().__init__(f"{failure.value}: {detail}" if detail else failure.value)
        self.failure = failure
        self.detail = detail
        self.retry_after = retry_after
        self._user_message = user_message

    @property
    def user_message(self) -> str:
        """The sentence to show."""
        if self._user_message:
            return self._user_message
        if self.failure is AuthFailure.THROTTLED and self.retry_after > 0:
            return throttled_message(self.retry_after)
        return MESSAGES[self.failure]


class CognitoBusyError(AuthError):
    """Cognito still refused for its request-rate quota after the SDK's own retries:
    nothing was done, and the same request may succeed a moment later."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(AuthFailure.BUSY, detail)
