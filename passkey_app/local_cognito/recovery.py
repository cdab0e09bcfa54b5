"""Password recovery as Cognito runs it: ForgotPassword mails a code, ConfirmForgotPassword
takes it once, AdminResetUserPassword mails one too and blocks password sign-in.

Moto (5.2.x) answers ForgotPassword with the code in a response header, sends nothing,
and takes any code that does not start with its own prefix. Here the code goes out as
the mail Cognito would send: the pool's verification message (``{####}`` replaced) and
subject, from the pool's ``EmailConfiguration`` sender or Cognito's own
(no-reply@verificationemail.com), into the stand-in's SES, which is the local outbox.
A code is six digits, lasts an hour, works once, and a newer one replaces it; wrong
codes answer CodeMismatchException, and after ``WRONG_CODES_ALLOWED`` of them the code
is dead (LimitExceededException) until a new one is asked for.

With PreventUserExistenceErrors ENABLED (AWS's developer guide, "Managing user existence
error responses"), ForgotPassword for a user that does not exist, is disabled, or has no
verified address to send to answers with a simulated delivery like a real one, and
ConfirmForgotPassword answers CodeMismatchException for users that do not exist or are
disabled, and ExpiredCodeException when no code was asked for. Only email delivery is
modelled (no SMS).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from moto.cognitoidp.exceptions import (
    CodeMismatchException,
    ExpiredCodeException,
    InvalidParameterException,
    NotAuthorizedError,
    UserNotFoundError,
)
from moto.cognitoidp.models import (
    CognitoIdpUser,
    CognitoIdpUserPool,
    CognitoIdpUserPoolClient,
    UserStatus,
)
from moto.ses.models import Message, ses_backends
from moto.ses.utils import get_random_message_id

from passkey_app.local_cognito import checks, errors

CODE_DIGITS = 6
CODE_LIFETIME_SECONDS = 60 * 60
"""Cognito's password-reset codes last one hour."""
WRONG_CODES_ALLOWED = 5
"""Wrong codes a code survives; the stand-in's figure (AWS does not publish its own)."""
COGNITO_SENDER = "no-reply@verificationemail.com"
"""The From address of Cognito's own email (EmailSendingAccount COGNITO_DEFAULT)."""
DEFAULT_SUBJECT = "Your verification code"
DEFAULT_MESSAGE = "Your verification code is {####}. "
CODE_PLACEHOLDER = "{####}"
_RESETTABLE = (UserStatus.CONFIRMED, UserStatus.RESET_REQUIRED)


@dataclass
class _Code:
    digest: bytes
    expires_at: float
    wrong_left: int


class ResetCodes:
    """The live code of each user, in memory, behind a lock; the clock is an attribute
    so tests can move time instead of sleeping."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self._codes: dict[tuple[str, str], _Code] = {}

    def issue(self, pool_id: str, user_id: str) -> str:
        """A new code for the user, replacing any earlier one."""
        code = "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))
        with self._lock:
            self._codes[(pool_id, user_id)] = _Code(
                digest=_digest(code),
                expires_at=self.clock() + CODE_LIFETIME_SECONDS,
                wrong_left=WRONG_CODES_ALLOWED,
            )
        return code

    def check(self, pool_id: str, user_id: str, code: str) -> None:
        """Raise Cognito's error unless ``code`` is the user's live code (which stays
        live: ``consume`` ends it once the new password is set)."""
        with self._lock:
            entry = self._codes.get((pool_id, user_id))
            if entry is None:
                raise ExpiredCodeException(errors.CODE_EXPIRED)
            if self.clock() >= entry.expires_at:
                del self._codes[(pool_id, user_id)]
                raise ExpiredCodeException(errors.CODE_EXPIRED)
            if entry.wrong_left <= 0:
                raise errors.LimitExceededException(errors.ATTEMPT_LIMIT)
            if not hmac.compare_digest(entry.digest, _digest(code)):
                entry.wrong_left -= 1
                raise CodeMismatchException(errors.CODE_MISMATCH)

    def consume(self, pool_id: str, user_id: str) -> None:
        """The code has done its work: it never works again."""
        with self._lock:
            self._codes.pop((pool_id, user_id), None)

    def clear(self) -> None:
        """Forget every code (moto's state was reset, or a test starts afresh)."""
        with self._lock:
            self._codes.clear()


_CODES = ResetCodes()


def reset_codes() -> ResetCodes:
    """The process-wide codes used by the installed extension."""
    return _CODES


def _digest(code: str) -> bytes:
    return hashlib.sha256(code.encode()).digest()


def forgot_password(
    pool: CognitoIdpUserPool, client: CognitoIdpUserPoolClient, parameters: Mapping[str, Any]
) -> dict[str, Any]:
    """ForgotPassword: mail a code to the user's verified address."""
    username = _username(parameters)
    checks.require_secret_hash(
        client, usernames=(username,), secret_hash=parameters.get("SecretHash")
    )
    _require_self_service(pool)
    user = pool._get_user(username)
    refusal = _why_no_code(user)
    if refusal is not None:
        if checks.prevents_user_existence_errors(client):
            return _delivery(username)
        raise refusal
    assert user is not None
    send_code(pool, user)
    return _delivery(user.attribute_lookup["email"])


def confirm_forgot_password(
    pool: CognitoIdpUserPool, client: CognitoIdpUserPoolClient, parameters: Mapping[str, Any]
) -> None:
    """ConfirmForgotPassword: the user's live code and a password the policy accepts."""
    username = _username(parameters)
    checks.require_secret_hash(
        client, usernames=(username,), secret_hash=parameters.get("SecretHash")
    )
    code, password = parameters.get("ConfirmationCode"), parameters.get("Password")
    if not isinstance(code, str) or not code:
        raise InvalidParameterException(errors.missing_parameter("ConfirmationCode"))
    if not isinstance(password, str) or not password:
        raise InvalidParameterException(errors.missing_parameter("Password"))
    user = pool._get_user(username)
    if user is None or not user.enabled:
        if checks.prevents_user_existence_errors(client):
            raise CodeMismatchException(errors.CODE_MISMATCH)
        if user is None:
            raise UserNotFoundError(errors.USER_DOES_NOT_EXIST)
        raise NotAuthorizedError(errors.USER_DISABLED)
    _CODES.check(pool.id, user.id, code)
    pool.backend._validate_password(pool.id, password)
    user.password = password
    user.status = UserStatus.CONFIRMED
    user.confirmation_code = None
    _CODES.consume(pool.id, user.id)


def after_admin_reset(pool: CognitoIdpUserPool, username: str) -> None:
    """AdminResetUserPassword (moto has set RESET_REQUIRED): mail the code, as Cognito
    does when the user has a verified email."""
    user = pool._get_user(username)
    if user is not None and _why_no_code(user) is None:
        send_code(pool, user)


def refuse_reset_required(pool: CognitoIdpUserPool, username: str) -> None:
    """A password sign-in of a user an administrator reset: PasswordResetRequiredException,
    whatever the password (the old one no longer works)."""
    user = pool._get_user(username)
    if user is not None and user.enabled and user.status is UserStatus.RESET_REQUIRED:
        raise errors.PasswordResetRequiredException(errors.PASSWORD_RESET_REQUIRED)


def send_code(pool: CognitoIdpUserPool, user: CognitoIdpUser) -> None:
    """Issue a new code and mail it with the pool's verification message."""
    code = _CODES.issue(pool.id, user.id)
    config = pool.extended_config
    template = config.get("VerificationMessageTemplate") or {}
    subject = (
        template.get("EmailSubject") or config.get("EmailVerificationSubject") or DEFAULT_SUBJECT
    )
    message = (
        template.get("EmailMessage") or config.get("EmailVerificationMessage") or DEFAULT_MESSAGE
    )
    sender = (config.get("EmailConfiguration") or {}).get("From") or COGNITO_SENDER
    ses = ses_backends[pool.account_id][pool.region]
    ses.sent_messages.append(
        Message(
            get_random_message_id(),
            sender,
            subject,
            message.replace(CODE_PLACEHOLDER, code),
            {"ToAddresses": [user.attribute_lookup["email"]]},
        )
    )


def _username(parameters: Mapping[str, Any]) -> str:
    username = parameters.get("Username")
    if not isinstance(username, str) or not username:
        raise InvalidParameterException(errors.missing_parameter("Username"))
    return username


def _require_self_service(pool: CognitoIdpUserPool) -> None:
    setting = pool.extended_config.get("AccountRecoverySetting") or {}
    mechanisms = sorted(setting.get("RecoveryMechanisms") or [], key=lambda m: m["Priority"])
    if mechanisms and mechanisms[0]["Name"] == "admin_only":
        raise NotAuthorizedError(errors.ADMIN_ONLY_RECOVERY)


def _why_no_code(user: CognitoIdpUser | None) -> Exception | None:
    """Why this user cannot get a code (Cognito's error without existence protection)."""
    if user is None:
        return UserNotFoundError(errors.USER_DOES_NOT_EXIST)
    if not user.enabled:
        return NotAuthorizedError(errors.USER_DISABLED)
    if user.status not in _RESETTABLE:
        return NotAuthorizedError(errors.CANNOT_RESET_NOW)
    attributes = user.attribute_lookup
    if not attributes.get("email") or attributes.get("email_verified") != "true":
        return InvalidParameterException(errors.NO_RECOVERY_DESTINATION)
    return None


def _delivery(address: str) -> dict[str, Any]:
    """CodeDeliveryDetails with the address masked as Cognito masks it (``a***@e***``);
    for a simulated delivery the typed name stands in for the address."""
    local, _, domain = address.partition("@")
    masked = f"{local[:1]}***@{domain[:1]}***" if domain else f"{local[:1]}***@***"
    return {
        "CodeDeliveryDetails": {
            "Destination": masked,
            "DeliveryMedium": "EMAIL",
            "AttributeName": "email",
        }
    }
