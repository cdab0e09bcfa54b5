"""What an admin action can run into, and the one short sentence shown for it."""

from __future__ import annotations

from enum import StrEnum

from passkey_app.services.errors import RefusalError


class AdminFailure(StrEnum):
    """Why an admin call was refused or failed."""

    FORBIDDEN = "forbidden"
    REAUTHENTICATION_REQUIRED = "reauthentication_required"
    USER_NOT_FOUND = "user_not_found"
    PASSKEY_NOT_FOUND = "passkey_not_found"
    OWN_ACCOUNT = "own_account"
    INVALID_INPUT = "invalid_input"
    UNAVAILABLE = "unavailable"


MESSAGES: dict[AdminFailure, str] = {
    AdminFailure.FORBIDDEN: "You don't have access to the admin dashboard.",
    AdminFailure.REAUTHENTICATION_REQUIRED: "Confirm it's you first.",
    AdminFailure.USER_NOT_FOUND: "That user no longer exists.",
    AdminFailure.PASSKEY_NOT_FOUND: "That passkey no longer exists.",
    AdminFailure.OWN_ACCOUNT: "You can't do that to your own account here.",
    AdminFailure.INVALID_INPUT: "Check the filter and try again.",
    AdminFailure.UNAVAILABLE: "The user directory is unavailable right now. Try again shortly.",
}


class AdminError(RefusalError[AdminFailure]):
    """A refused or failed admin call; ``detail`` is for logs, never for people."""

    messages = MESSAGES
