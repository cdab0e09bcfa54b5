"""The Cognito errors the stand-in adds to moto, and the messages Cognito answers with.

Every class renders as Cognito's JSON error (``__type`` + ``message``) through moto's
own error machinery, so boto3 raises the same ``ClientError`` codes as against AWS.
"""

# ruff: noqa: S105 - the strings named *TOKEN* / *PASSWORD* here are AWS protocol names

from __future__ import annotations

from moto.core.exceptions import JsonRESTError

INCORRECT_CREDENTIALS = "Incorrect username or password."
INVALID_SESSION = "Invalid session for the user."
EXPIRED_SESSION = "Invalid session for the user, session is expired."
FLOW_NOT_ENABLED = "Auth flow not enabled for this client"
AUTH_METHOD_NOT_SUPPORTED = "Initiate Auth method not supported"
CUSTOM_AUTH_NOT_CONFIGURED = "Custom auth lambda trigger is not configured for the user pool."
USER_DISABLED = "User is disabled."
USER_NOT_CONFIRMED = "User is not confirmed."
USER_DOES_NOT_EXIST = "User does not exist."
INVALID_REFRESH_TOKEN = "Invalid Refresh Token"
REFRESH_TOKEN_REVOKED = "Refresh Token has been revoked"
UNRECOGNIZABLE_LAMBDA_OUTPUT = "Unrecognizable lambda output"


def secret_hash_missing(client_id: str) -> str:
    """Cognito's message when a confidential client's request carries no SECRET_HASH."""
    return f"Client {client_id} is configured with secret but SECRET_HASH was not received"


def secret_hash_mismatch(client_id: str) -> str:
    """Cognito's message when the SECRET_HASH does not match the client secret."""
    return f"Unable to verify secret hash for client {client_id}"


def missing_parameter(name: str) -> str:
    """Cognito's message for a required auth or challenge parameter left out."""
    return f"Missing required parameter {name}"


class CognitoError(JsonRESTError):
    """Base of the errors below: a 400 JSON error whose type is the class name."""

    def __init__(self, message: str) -> None:
        super().__init__(type(self).__name__, message)


class UnexpectedLambdaException(CognitoError):
    """A trigger could not be invoked (no such function here)."""


class UserLambdaValidationException(CognitoError):
    """A trigger raised instead of returning its event."""


class InvalidLambdaResponseException(CognitoError):
    """A trigger returned something Cognito cannot act on."""


class UnauthorizedException(CognitoError):
    """RevokeToken: the client credentials did not check out."""


class UnsupportedOperationException(CognitoError):
    """RevokeToken on a client with token revocation disabled."""


class UnsupportedTokenTypeException(CognitoError):
    """RevokeToken was given a token that is not a refresh token."""


# Password recovery (ForgotPassword, ConfirmForgotPassword, AdminResetUserPassword).
CODE_MISMATCH = "Invalid verification code provided, please try again."
CODE_EXPIRED = "Invalid code provided, please request a code again."
ATTEMPT_LIMIT = "Attempt limit exceeded, please try after some time."
PASSWORD_RESET_REQUIRED = "Password reset required for the user"
NO_RECOVERY_DESTINATION = (
    "Cannot reset password for the user as there is no registered/verified email or phone_number"
)
CANNOT_RESET_NOW = "User password cannot be reset in the current state."
ADMIN_ONLY_RECOVERY = "Contact administrator to reset password."


class LimitExceededException(CognitoError):
    """Too many wrong codes for one user: the code stops working."""


class PasswordResetRequiredException(CognitoError):
    """A sign-in of a user whose password an administrator reset."""
