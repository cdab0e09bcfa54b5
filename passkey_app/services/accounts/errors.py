"""What a change to the account as a whole can run into (going passwordless, deleting it,
an invitation), and the one short sentence shown for each."""

from __future__ import annotations

from enum import StrEnum

from passkey_app.services.errors import RefusalError


class AccountFailure(StrEnum):
    """Why an account-lifecycle call was refused or failed."""

    NO_SYNCED_PASSKEY = "no_synced_passkey"
    ALREADY_PASSWORDLESS = "already_passwordless"
    CONFIRMATION_MISMATCH = "confirmation_mismatch"
    NOT_DELETED = "not_deleted"
    INVALID_EMAIL = "invalid_email"
    ACCOUNT_EXISTS = "account_exists"
    INVITATION_NOT_SENT = "invitation_not_sent"


MESSAGES: dict[AccountFailure, str] = {
    AccountFailure.NO_SYNCED_PASSKEY: (
        "Add a synced passkey first: a passkey kept on one device only would leave you "
        "locked out if you lose that device."
    ),
    AccountFailure.ALREADY_PASSWORDLESS: "Your account already has no password.",
    AccountFailure.CONFIRMATION_MISMATCH: "Type your email address exactly as shown to confirm.",
    AccountFailure.NOT_DELETED: (
        "Your account couldn't be deleted right now. Sign in again and try once more."
    ),
    AccountFailure.INVALID_EMAIL: "Enter a valid email address.",
    AccountFailure.ACCOUNT_EXISTS: "That address already has an account. Nothing was sent.",
    AccountFailure.INVITATION_NOT_SENT: (
        "The invitation couldn't be sent, so no account was made. Try again."
    ),
}


class AccountError(RefusalError[AccountFailure]):
    """A refused or failed account change; ``detail`` is for logs, never for people."""

    messages = MESSAGES
