"""SQLModel tables. The schema changes only through Alembic revisions in alembic/."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Column, Date, DateTime, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

# Column lengths: the models declare them and the code that truncates or checks a value
# before it is stored uses the same names. Changing one is a schema change (an Alembic
# revision), not an edit here alone.
HASH_LENGTH = 64
"""A SHA-256 hex digest (session ids, handoff codes, challenge handles, link tokens)."""
SUB_LENGTH = 64
"""A Cognito user sub (a UUID, with room to spare)."""
USERNAME_LENGTH = 128
EMAIL_LENGTH = 320
"""The longest address RFC 5321 allows (64 + 1 + 255)."""
AUTH_METHOD_LENGTH = 32
IP_ADDRESS_LENGTH = 64
USER_AGENT_LENGTH = 512
NOTICE_LENGTH = 200
EVENT_TYPE_LENGTH = 64
OUTCOME_LENGTH = 16
DETAIL_LENGTH = 1000
USER_HANDLE_LENGTH = 64
CREDENTIAL_ID_LENGTH = 1366
"""1023 bytes (the WebAuthn maximum) as unpadded base64url."""
AAGUID_LENGTH = 36
PASSKEY_NAME_LENGTH = 64
TRANSPORTS_LENGTH = 200
PURPOSE_LENGTH = 16
CLIENT_KEY_LENGTH = 64
RATE_LIMIT_KEY_LENGTH = 64


class BrowserSession(SQLModel, table=True):
    """One signed-in browser. The cookie holds a random id; only its hash is stored.

    A row starts *pending* (``handoff_hash`` set, ``token_hash`` empty) when a factor
    has been verified over the websocket, and becomes active when the browser posts
    the one-time handoff code to the backend route that sets the HttpOnly cookie.
    """

    __tablename__ = "browser_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str | None = Field(default=None, max_length=HASH_LENGTH, unique=True, index=True)
    handoff_hash: str | None = Field(default=None, max_length=HASH_LENGTH, unique=True, index=True)
    handoff_expires_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    binding_hash: str | None = Field(default=None, max_length=HASH_LENGTH, unique=True, index=True)
    """The server-side key of the tab that signed in (see sessions.store.LoginSucceeded)."""
    user_sub: str = Field(max_length=SUB_LENGTH, index=True)
    username: str = Field(max_length=USERNAME_LENGTH)
    email: str = Field(max_length=EMAIL_LENGTH)
    auth_method: str = Field(max_length=AUTH_METHOD_LENGTH)
    authenticated_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    encrypted_tokens: str = Field(sa_column=Column(Text, nullable=False))
    access_expires_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    expires_at: datetime = Field(
        sa_column=Column(DateTime(timezone=True), nullable=False, index=True)
    )
    last_seen_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    ip_address: str = Field(default="", max_length=IP_ADDRESS_LENGTH)
    user_agent: str = Field(default="", max_length=USER_AGENT_LENGTH)
    revalidated_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    """When Cognito last confirmed the refresh token still works (a revocation made
    outside the app ends the session at the next check)."""
    notice: str = Field(default="", max_length=NOTICE_LENGTH)
    """Something the person must be told once in this session (an account claimed)."""
    passkey_id: int | None = Field(default=None, index=True)
    """The passkey (PasskeyCredential.id) that opened this session, if one did; no foreign
    key, so removing the passkey leaves the session to the person's choice."""


class KnownBrowser(SQLModel, table=True):
    """A browser a person has signed in from: only a hash of (user, browser family,
    system family), never the user agent, so a sign-in from another one can be told."""

    __tablename__ = "known_browser"
    __table_args__ = (UniqueConstraint("user_sub", "browser_hash"),)

    id: int | None = Field(default=None, primary_key=True)
    user_sub: str = Field(max_length=SUB_LENGTH, index=True)
    browser_hash: str = Field(max_length=HASH_LENGTH)
    first_seen_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class AuditEvent(SQLModel, table=True):
    """Who did what, when, from where. Never a secret, token, proof or challenge."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    occurred_at: datetime = Field(
        sa_column=Column(DateTime(timezone=True), nullable=False, index=True)
    )
    event_type: str = Field(max_length=EVENT_TYPE_LENGTH, index=True)
    outcome: str = Field(max_length=OUTCOME_LENGTH)
    user_sub: str | None = Field(default=None, max_length=SUB_LENGTH, index=True)
    email: str | None = Field(default=None, max_length=EMAIL_LENGTH, index=True)
    actor_sub: str | None = Field(default=None, max_length=SUB_LENGTH)
    ip_address: str = Field(default="", max_length=IP_ADDRESS_LENGTH)
    user_agent: str = Field(default="", max_length=USER_AGENT_LENGTH)
    detail: str = Field(default="", max_length=DETAIL_LENGTH)


class WebAuthnUser(SQLModel, table=True):
    """A Cognito user as the relying party knows them: the random WebAuthn user handle.

    The handle (``user.id`` in WebAuthn) is 32 random bytes, never the email, so an
    authenticator never learns who the person is.
    """

    __tablename__ = "webauthn_user"

    user_sub: str = Field(primary_key=True, max_length=SUB_LENGTH)
    username: str = Field(max_length=USERNAME_LENGTH)
    user_handle: str = Field(max_length=USER_HANDLE_LENGTH, unique=True, index=True)
    created_by_passkey: bool = False
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    passkey_prompt_snoozed_until: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    email_unconfirmed_since: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True, index=True)
    )
    """Set while the account is provisional: made by a passkey sign-up whose address
    nobody has proven yet. Cleared by the first proof of the mailbox."""
    passwordless_since: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    """Since when the Cognito password is a random one nobody knows: the person removed it
    (services/accounts/passwordless.py), or an admin's invitation never gave one. An
    account ``created_by_passkey`` never had one either."""


class PasskeyCredential(SQLModel, table=True):
    """One registered passkey. Credential ids are unique across all users."""

    __tablename__ = "passkey_credential"

    id: int | None = Field(default=None, primary_key=True)
    credential_id: str = Field(max_length=CREDENTIAL_ID_LENGTH, unique=True, index=True)
    user_sub: str = Field(
        max_length=SUB_LENGTH, foreign_key="webauthn_user.user_sub", ondelete="CASCADE", index=True
    )
    public_key: bytes
    algorithm: int
    sign_count: int = Field(sa_column=Column(BigInteger, nullable=False))
    aaguid: str = Field(max_length=AAGUID_LENGTH)
    name: str = Field(max_length=PASSKEY_NAME_LENGTH)
    backup_eligible: bool
    backup_state: bool
    transports: str = Field(default="[]", max_length=TRANSPORTS_LENGTH)
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    last_used_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )


class WebAuthnChallenge(SQLModel, table=True):
    """A single-use WebAuthn challenge. Only the hash of the browser-side handle is stored."""

    __tablename__ = "webauthn_challenge"

    id: int | None = Field(default=None, primary_key=True)
    handle_hash: str = Field(max_length=HASH_LENGTH, unique=True, index=True)
    purpose: str = Field(max_length=PURPOSE_LENGTH)
    challenge: bytes
    user_sub: str | None = Field(default=None, max_length=SUB_LENGTH)
    user_handle: str | None = Field(default=None, max_length=USER_HANDLE_LENGTH)
    email: str | None = Field(default=None, max_length=EMAIL_LENGTH)
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    expires_at: datetime = Field(
        sa_column=Column(DateTime(timezone=True), nullable=False, index=True)
    )
    consumed_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    client_key: str | None = Field(default=None, max_length=CLIENT_KEY_LENGTH, index=True)
    """A hash of the browser tab that asked, so live challenges per tab can be capped."""


class MagicLink(SQLModel, table=True):
    """A single-use email sign-in (or sign-up) link. Only hashes of its secrets are stored.

    ``binding_hash`` is the hash of a random value kept in the browser that asked for
    the link; opening the link anywhere else asks the person to confirm first.
    """

    __tablename__ = "magic_link"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=HASH_LENGTH, unique=True, index=True)
    binding_hash: str | None = Field(default=None, max_length=HASH_LENGTH)
    purpose: str = Field(max_length=PURPOSE_LENGTH)
    email: str = Field(max_length=EMAIL_LENGTH, index=True)
    user_sub: str | None = Field(default=None, max_length=SUB_LENGTH)
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    expires_at: datetime = Field(
        sa_column=Column(DateTime(timezone=True), nullable=False, index=True)
    )
    consumed_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    superseded_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )


class EmailCode(SQLModel, table=True):
    """The sign-in code of one link request, for the browser that made the request.

    One row per request (keyed by the hash of the browser's binding value), written for
    every well-formed address, known or not, so a wrong code costs the same work and the
    same counting either way; the address only as a hash, so none is kept for people
    without an account. ``code_hash`` stays empty when no mail went out (no account, a
    limit, the policy); it is a keyed hash (HMAC with the server's key), since a code is
    short enough to guess from a plain hash. ``tries`` counts comparisons made.
    """

    __tablename__ = "email_code"

    id: int | None = Field(default=None, primary_key=True)
    binding_hash: str = Field(max_length=HASH_LENGTH, unique=True, index=True)
    email_hash: str = Field(max_length=HASH_LENGTH)
    """SHA-256 of the normalized address: what the per-account limit counts against."""
    user_sub: str | None = Field(default=None, max_length=SUB_LENGTH)
    """The account the mailed code signs in (set with the code), for the audit trail."""
    code_hash: str | None = Field(default=None, max_length=HASH_LENGTH)
    link_id: int | None = Field(default=None)
    """The MagicLink this code redeems (no foreign key: a swept link leaves a dead code)."""
    tries: int = 0
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    expires_at: datetime = Field(
        sa_column=Column(DateTime(timezone=True), nullable=False, index=True)
    )
    used_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )


class RateLimitBucket(SQLModel, table=True):
    """A fixed-window request counter for one key (a hashed email or an IP address)."""

    __tablename__ = "rate_limit_bucket"

    key: str = Field(primary_key=True, max_length=RATE_LIMIT_KEY_LENGTH)
    window_start: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    count: int


class SignupAttempt(SQLModel, table=True):
    """A passkey sign-up between creating its Cognito user and finishing (or undoing).

    Written before the Cognito user is created and deleted when the sign-up has finished
    or been undone, so a row left behind names a sign-up that may have left a Cognito
    user without a passkey: one whose undo could not reach Cognito (``undo_owed``), or
    whose worker died half-way (``in_flight`` for too long). The next sign-up of the same
    address, and the periodic sweep, settle it (services/accounts/half_made.py).
    """

    __tablename__ = "signup_attempt"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=EMAIL_LENGTH, index=True)
    user_sub: str | None = Field(default=None, max_length=SUB_LENGTH)
    """The Cognito user the attempt created, once Cognito has answered."""
    started_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    undo_owed: bool = False
    """The sign-up failed and could not delete its Cognito user (Cognito unreachable)."""


class LoginDay(SQLModel, table=True):
    """Successful sign-ins on one UTC day by one method. Counted as each sign-in is
    audited (services/login_stats.py), so the adoption chart reads a few rows a day
    instead of scanning the audit log."""

    __tablename__ = "login_day"

    day: date = Field(sa_column=Column(Date, primary_key=True))
    method: str = Field(primary_key=True, max_length=AUTH_METHOD_LENGTH)
    count: int


class UserLastLogin(SQLModel, table=True):
    """Each user's newest successful sign-in, kept as sign-ins are audited: the users
    table's "Last login" and the adoption page's active users (one row per user)."""

    __tablename__ = "user_last_login"

    user_sub: str = Field(primary_key=True, max_length=SUB_LENGTH)
    at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False, index=True))
    method: str = Field(max_length=AUTH_METHOD_LENGTH)
