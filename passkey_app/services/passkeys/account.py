"""Flow 5 and the offer after a password login: a signed-in person's passkeys.

Every change (adding, renaming or removing a passkey) needs a login younger than five
minutes; otherwise the person confirms who they are first (their passkey, or their
password). The age is checked when a change starts and again when it finishes, so a
ceremony begun at 4:59 cannot be completed at 5:30. Removing the last passkey of an
account that has no password is refused, and so is removing the last synced passkey of
an account whose password was removed (services/accounts/passwordless.py). Adding and
removing are mailed to the owner (security notices); removing can also sign out the
sessions that passkey signed in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.engine import Engine

from passkey_app.db import session_scope
from passkey_app.services.accounts import passwordless
from passkey_app.services.audit import AuditEventType, AuditTrail, ClientInfo, record_event
from passkey_app.services.clock import Clock, as_utc, system_clock
from passkey_app.services.cognito.gateway import CognitoGateway, NewPasswordChallenge
from passkey_app.services.errors import AuthError, AuthFailure
from passkey_app.services.identity import normalize_email
from passkey_app.services.mail.security import SecurityNotices
from passkey_app.services.passkeys.naming import default_passkey_name
from passkey_app.services.sessions.devices import SessionDevices
from passkey_app.services.sessions.store import SessionStore, SignedInUser
from passkey_app.services.throttle import Throttle
from passkey_app.services.webauthn import credential_store
from passkey_app.services.webauthn.ceremonies import PasskeyCeremonies
from passkey_app.services.webauthn.credential_store import PasskeySummary
from passkey_app.services.webauthn.errors import PasskeyRejectedError
from passkey_app.services.webauthn.results import CeremonyStart

FRESH_LOGIN = timedelta(minutes=5)
PROMPT_SNOOZE = timedelta(days=14)


@dataclass(frozen=True)
class PasskeyOverview:
    """What the account page shows about passkeys."""

    passkeys: tuple[PasskeySummary, ...]
    created_by_passkey: bool
    offer_passkey: bool


@dataclass(frozen=True)
class AcceptedCredentials:
    """What the Signal API's signalAllAcceptedCredentials is told (base64url, as WebAuthn
    JSON writes them)."""

    user_handle: str
    credential_ids: tuple[str, ...]


class PasskeyAccount:
    """List, add, rename and delete a signed-in person's passkeys."""

    def __init__(
        self,
        *,
        engine: Engine,
        gateway: CognitoGateway,
        ceremonies: PasskeyCeremonies,
        sessions: SessionStore,
        clock: Clock = system_clock,
        notices: SecurityNotices | None = None,
    ) -> None:
        self._engine = engine
        self._gateway = gateway
        self._ceremonies = ceremonies
        self._sessions = sessions
        self._devices = SessionDevices(sessions=sessions)
        self._notices = notices
        self._clock = clock
        self._audit = AuditTrail(engine, clock)
        self._throttle = Throttle(engine, clock)

    def overview(self, *, user: SignedInUser) -> PasskeyOverview:
        """The person's passkeys, and whether to offer them one."""
        now = self._clock()
        with session_scope(self._engine) as db:
            owner = credential_store.find_user(db, user.sub)
            passkeys = tuple(credential_store.list_passkeys(db, user.sub))
        snoozed_until = owner.passkey_prompt_snoozed_until if owner else None
        snoozed = snoozed_until is not None and as_utc(snoozed_until) > now
        return PasskeyOverview(
            passkeys=passkeys,
            created_by_passkey=bool(owner and owner.created_by_passkey),
            offer_passkey=not passkeys and not snoozed,
        )

    def needs_reauthentication(self, *, user: SignedInUser) -> bool:
        """Changes need a login (or a confirmation) younger than five minutes."""
        return user.login_age(self._clock()) > FRESH_LOGIN

    def _require_fresh(
        self, user: SignedInUser, client: ClientInfo, event_type: AuditEventType
    ) -> None:
        if self.needs_reauthentication(user=user):
            self._record(event_type, "refused", user, client, "login too old")
            raise AuthError(AuthFailure.REAUTHENTICATION_REQUIRED, "login too old")

    def begin_add(self, *, user: SignedInUser, client: ClientInfo) -> CeremonyStart:
        """Registration options for another passkey, excluding the ones already there."""
        if self.needs_reauthentication(user=user):
            raise AuthError(AuthFailure.REAUTHENTICATION_REQUIRED, "login too old")
        self._throttle.ceremony_start(client)
        with session_scope(self._engine) as db:
            # The row (and so the user handle) exists before the ceremony, so the handle
            # the browser signs is the one finish_add finds.
            owner = credential_store.ensure_user(
                db, user_sub=user.sub, username=user.username, at=self._clock()
            )
            existing = credential_store.credential_ids(db, user.sub)
        return self._ceremonies.registration_options(
            user_handle=owner.user_handle,
            user_name=user.email,
            display_name=user.email,
            user_sub=user.sub,
            email=user.email,
            exclude_credential_ids=existing,
            client_key=client.tab_key or None,
        )

    def finish_add(
        self, *, user: SignedInUser, handle: str, response: object, client: ClientInfo
    ) -> PasskeySummary:
        """Verify and store the new passkey under the signed-in person; the login must
        still be fresh now, not only when the ceremony began."""
        self._require_fresh(user, client, AuditEventType.PASSKEY_REGISTER)
        try:
            passkey = self._ceremonies.verify_registration(
                handle=handle, response=response, expected_user_sub=user.sub
            )
        except PasskeyRejectedError as error:
            self._record(
                AuditEventType.PASSKEY_REGISTER, "failure", user, client, error.reason.value
            )
            raise
        now = self._clock()
        try:
            with session_scope(self._engine) as db:
                name = default_passkey_name(
                    passkey.aaguid,
                    user_agent=client.user_agent,
                    taken=[p.name for p in credential_store.list_passkeys(db, user.sub)],
                    today=now.date(),
                )
                credential_store.ensure_user(
                    db,
                    user_sub=user.sub,
                    username=user.username,
                    user_handle=passkey.user_handle,
                    at=now,
                )
                row = credential_store.add_passkey(
                    db, user_sub=user.sub, new=passkey, name=name, at=now
                )
                record_event(
                    db,
                    event_type=AuditEventType.PASSKEY_REGISTER,
                    outcome="success",
                    at=now,
                    client=client,
                    user_sub=user.sub,
                    email=user.email,
                    detail=f"passkey={row.id}",
                )
                added = next(
                    p for p in credential_store.list_passkeys(db, user.sub) if p.id == row.id
                )
        except PasskeyRejectedError as error:
            self._record(
                AuditEventType.PASSKEY_REGISTER, "failure", user, client, error.reason.value
            )
            raise
        if self._notices is not None:
            self._notices.passkey_added(to=user.email, passkey_name=added.name, client=client)
        return added

    def rename(self, *, user: SignedInUser, passkey_id: int, name: str, client: ClientInfo) -> None:
        """Give one of the person's passkeys a name they will recognise."""
        self._require_fresh(user, client, AuditEventType.PASSKEY_RENAME)
        try:
            with session_scope(self._engine) as db:
                renamed = credential_store.rename_passkey(
                    db, user_sub=user.sub, passkey_id=passkey_id, name=name
                )
        except ValueError as error:
            raise AuthError(AuthFailure.INVALID_PASSKEY_NAME, "name rejected") from error
        if not renamed:
            raise AuthError(AuthFailure.PASSKEY_NOT_FOUND, "rename of a missing passkey")
        self._record(
            AuditEventType.PASSKEY_RENAME, "success", user, client, f"passkey={passkey_id}"
        )

    def sessions_by_passkey(self, *, user: SignedInUser, session_id: str) -> Mapping[int, int]:
        """How many of the person's other live sessions each passkey signed in (what the
        removal dialog offers to sign out)."""
        return self._devices.opened_by_passkeys(user=user, session_id=session_id)

    def delete(
        self,
        *,
        user: SignedInUser,
        passkey_id: int,
        client: ClientInfo,
        end_sessions: bool = False,
        session_id: str = "",
    ) -> int:
        """Remove a passkey, never the last way into an account without a password. With
        ``end_sessions``, also sign out the other sessions it signed in (not this one,
        ``session_id``); return how many were."""
        self._require_fresh(user, client, AuditEventType.PASSKEY_DELETE)
        with session_scope(self._engine) as db:
            names = {p.id: p.name for p in credential_store.list_passkeys(db, user.sub)}
            owned = list(names)
            if passkey_id not in owned:
                raise AuthError(AuthFailure.PASSKEY_NOT_FOUND, "delete of a missing passkey")
            refusal = passwordless.removal_refusal(
                db, owner=passwordless.lock_owner(db, user.sub), passkey_id=passkey_id
            )
            if refusal:
                self._record(AuditEventType.PASSKEY_DELETE, "refused", user, client, refusal)
                raise passwordless.refusal_error(refusal)
            credential_store.delete_passkey(db, user_sub=user.sub, passkey_id=passkey_id)
            record_event(
                db,
                event_type=AuditEventType.PASSKEY_DELETE,
                outcome="success",
                at=self._clock(),
                client=client,
                user_sub=user.sub,
                email=user.email,
                detail=f"passkey={passkey_id}",
            )
        ended = 0
        if end_sessions:
            ended = self._devices.end_opened_by(
                user=user, passkey_id=passkey_id, session_id=session_id, client=client
            )
        if self._notices is not None:
            self._notices.passkey_removed(
                to=user.email, passkey_name=names[passkey_id], client=client, sessions_ended=ended
            )
        return ended

    def accepted_credentials(self, *, user: SignedInUser) -> AcceptedCredentials | None:
        """The person's WebAuthn user handle and every credential id still accepted (what
        the browser is told after a removal), or None without a WebAuthn row."""
        with session_scope(self._engine) as db:
            owner = credential_store.find_user(db, user.sub)
            if owner is None:
                return None
            return AcceptedCredentials(
                user_handle=owner.user_handle,
                credential_ids=tuple(credential_store.credential_ids(db, user.sub)),
            )

    def snooze_offer(self, *, user: SignedInUser) -> None:
        """ "Not now": ask again in two weeks."""
        now = self._clock()
        with session_scope(self._engine) as db:
            credential_store.ensure_user(db, user_sub=user.sub, username=user.username, at=now)
            credential_store.snooze_prompt(db, user_sub=user.sub, until=now + PROMPT_SNOOZE)

    def reauthentication_options(
        self, *, user: SignedInUser, client: ClientInfo
    ) -> CeremonyStart | None:
        """Passkey options bound to this person, or None when only a password can confirm."""
        self._throttle.ceremony_start(client)
        with session_scope(self._engine) as db:
            credential_ids = credential_store.credential_ids(db, user.sub)
        if not credential_ids:
            return None
        return self._ceremonies.authentication_options(
            user_sub=user.sub,
            allow_credential_ids=credential_ids,
            client_key=client.tab_key or None,
        )

    def confirm_with_passkey(
        self,
        *,
        user: SignedInUser,
        session_id: str,
        handle: str,
        response: object,
        client: ClientInfo,
    ) -> None:
        """A passkey assertion from this person makes their login fresh again."""
        try:
            verified = self._ceremonies.verify_authentication(handle=handle, response=response)
        except PasskeyRejectedError as error:
            self._record(AuditEventType.REAUTH_PASSKEY, "failure", user, client, error.reason.value)
            raise
        if verified.user_sub != user.sub:
            self._record(AuditEventType.REAUTH_PASSKEY, "failure", user, client, "other user")
            raise AuthError(AuthFailure.PASSKEY_REJECTED, "assertion of another user")
        self._sessions.confirm_presence(session_id)
        self._record(AuditEventType.REAUTH_PASSKEY, "success", user, client)

    def confirm_with_password(
        self, *, user: SignedInUser, session_id: str, password: str, client: ClientInfo
    ) -> None:
        """The person's Cognito password makes their login fresh again. Wrong passwords
        count against the same limits as at sign-in."""
        email = normalize_email(user.email) or user.email
        try:
            result = self._throttle.password_attempt(
                email=email,
                client=client,
                attempt=lambda: self._gateway.password_auth(
                    email=user.email, password=password, client=client
                ),
            )
        except AuthError as error:
            self._record(
                AuditEventType.REAUTH_PASSWORD, "failure", user, client, error.failure.value
            )
            raise
        if isinstance(result, NewPasswordChallenge):
            raise AuthError(AuthFailure.INVALID_CREDENTIALS, "password must be changed")
        if result.refresh_token:
            # Only the check was wanted: the extra tokens are revoked, never kept.
            self._gateway.revoke(refresh_token=result.refresh_token)
        self._sessions.confirm_presence(session_id)
        self._record(AuditEventType.REAUTH_PASSWORD, "success", user, client)

    def _record(
        self,
        event_type: AuditEventType,
        outcome: str,
        user: SignedInUser,
        client: ClientInfo,
        detail: str = "",
    ) -> None:
        self._audit.write(
            event_type, outcome, client, user_sub=user.sub, email=user.email, detail=detail
        )
