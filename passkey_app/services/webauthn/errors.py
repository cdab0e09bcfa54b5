"""Why a passkey ceremony was refused: one precise reason for logs, one generic message."""

from __future__ import annotations

from enum import StrEnum

from passkey_app.services.errors import AuthError, AuthFailure


class RejectReason(StrEnum):
    """Every check the ceremonies make, named for what failed."""

    MALFORMED = "malformed"
    TOO_LARGE = "too_large"
    CHALLENGE_INVALID = "challenge_invalid"  # unknown, expired, reused, other user, wrong purpose
    WRONG_TYPE = "wrong_type"
    WRONG_ORIGIN = "wrong_origin"
    CROSS_ORIGIN = "cross_origin"
    WRONG_RP_ID = "wrong_rp_id"
    USER_NOT_PRESENT = "user_not_present"
    USER_NOT_VERIFIED = "user_not_verified"
    ALGORITHM_NOT_ALLOWED = "algorithm_not_allowed"
    KEY_ALGORITHM_MISMATCH = "key_algorithm_mismatch"  # key type or curve not its algorithm's
    BAD_SIGNATURE = "bad_signature"
    UNKNOWN_CREDENTIAL = "unknown_credential"
    WRONG_USER = "wrong_user"
    USER_HANDLE_MISMATCH = "user_handle_mismatch"
    COUNTER_REGRESSION = "counter_regression"
    BACKUP_STATE_CHANGED = "backup_state_changed"
    CREDENTIAL_ID_TOO_LONG = "credential_id_too_long"
    CREDENTIAL_EXISTS = "credential_exists"
    VERIFICATION_FAILED = "verification_failed"


_FAILURES: dict[RejectReason, AuthFailure] = {
    RejectReason.CHALLENGE_INVALID: AuthFailure.CHALLENGE_EXPIRED,
    RejectReason.CREDENTIAL_EXISTS: AuthFailure.PASSKEY_ALREADY_REGISTERED,
}


class PasskeyRejectedError(AuthError):
    """A passkey response that failed a check. ``reason`` is for logs and tests only;
    the person sees the generic message of the mapped AuthFailure."""

    def __init__(self, reason: RejectReason, *, user_sub: str | None = None) -> None:
        super().__init__(_FAILURES.get(reason, AuthFailure.PASSKEY_REJECTED), reason.value)
        self.reason = reason
        self.user_sub = user_sub
        """The owner of the credential presented, once it is known (for the audit trail)."""
