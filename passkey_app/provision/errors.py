"""One-line explanations of the AWS errors people actually hit."""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, NoRegionError


class ProvisionError(Exception):
    """Provisioning or checking cannot go on; the message is one line for the terminal."""


_EXPLAINED = {
    "AccessDeniedException": "access denied: the AWS identity lacks {action} (see docs/deploy.md)",
    "AccessDenied": "access denied: the AWS identity lacks {action} (see docs/deploy.md)",
    "UnauthorizedOperation": "access denied: the AWS identity lacks {action}",
    "NotAuthorizedException": "not authorized for {action}: check the credentials and region",
    "ThrottlingException": "AWS throttled {action}: wait a minute and run the command again",
    "TooManyRequestsException": "AWS throttled {action}: wait a minute and run it again",
    "Throttling": "AWS throttled {action}: wait a minute and run the command again",
    "ExpiredTokenException": "the AWS session token has expired: refresh the credentials",
    "UnrecognizedClientException": "AWS does not know these credentials: check the profile",
    "InvalidClientTokenId": "AWS does not know these credentials: check the profile",
}


def explain(error: Exception, *, action: str) -> str:
    """A single line saying what failed and what to do, never a traceback."""
    if isinstance(error, NoCredentialsError):
        return "no AWS credentials found: set AWS_PROFILE or AWS_ACCESS_KEY_ID/SECRET"
    if isinstance(error, NoRegionError):
        return "no AWS region: pass --region or set AWS_DEFAULT_REGION"
    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code", "")
        message = error.response.get("Error", {}).get("Message", "")
        if code in _EXPLAINED:
            return _EXPLAINED[code].format(action=action)
        if code == "ResourceNotFoundException" and "pool" in message.lower():
            return f"user pool not found ({action}): check --user-pool-id and --region"
        return f"{action} failed: {code}: {message}".rstrip(": ")
    if isinstance(error, BotoCoreError):
        return f"{action} failed: {error}"
    return f"{action} failed: {type(error).__name__}: {error}"
