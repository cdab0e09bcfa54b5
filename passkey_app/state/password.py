"""The account page's "Password" card: change it, for people who have one.

Changing the password is an account change (DESIGN.md, Throttling): it needs a sign-in
younger than five minutes, so "Change password" first asks "Confirm it's you" when the
sign-in is older (``ReauthMixin``), and the service checks the age again when the change
is made. No current password is asked for: the recent sign-in is the proof. Every
handler resolves the session on the server first."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import reflex as rx
from reflex.event import EventSpec

from passkey_app.auth import AuthState
from passkey_app.services.errors import AuthError, AuthFailure, UserFacingError
from passkey_app.services.password.policy import MISMATCH, PasswordRulesError
from passkey_app.services.sessions.store import SignedInUser
from passkey_app.state.password_rules import RuleItem, rule_items
from passkey_app.state.reauth import ReauthMixin
from passkey_app.state.sessions import SessionsState

log = logging.getLogger(__name__)

AT_FORM = "form"
AT_NEW = "new"
AT_REPEAT = "repeat"
SAY_CHANGING = "Changing your password…"
REASON = "Confirm it's you before changing your password."
CHANGED = "Password changed."


def changed_message(ended: int) -> str:
    """The toast after a change, saying how many other sessions were signed out."""
    if ended <= 0:
        return CHANGED
    return f"{CHANGED} Signed out of {ended} other session{'s' if ended != 1 else ''}."


class PasswordState(ReauthMixin, AuthState):
    """Fields and handlers of the password card and its dialog."""

    has_password: bool = False
    email: str = ""
    form_open: bool = False
    rules: list[RuleItem] = []
    end_others: bool = True
    busy: bool = False
    error: str = ""
    error_at: str = AT_FORM
    status: str = ""

    def _reauth_needed(self, user: SignedInUser) -> bool:
        return self._services().password_change.needs_reauthentication(user=user)

    async def _reauth_done(self, user: SignedInUser) -> None:
        """Confirmed: the change form opens."""
        self._close_reauth()
        await self._open_form()

    @rx.event
    async def load(self) -> None:
        """Whether the card shows (password accounts only), once the server has checked
        the session."""
        self.form_open, self.busy = False, False
        user = await self._current_user()
        if user is None:
            self.has_password = False
            return
        self.email = user.email
        self.has_password = await asyncio.to_thread(
            self._services().password_change.has_password, user=user
        )

    @rx.event
    async def start_change(self) -> AsyncIterator[EventSpec | None]:
        """ "Change password": the form, after "Confirm it's you" when the sign-in is old."""
        user = await self._current_user()
        if user is None:
            yield self.login_redirect()
            return
        if self.busy:
            return
        if await self._fresh_or_ask(user, REASON):
            await self._open_form()

    async def _open_form(self) -> None:
        self.error, self.error_at, self.status, self.end_others = "", AT_FORM, "", True
        await self._load_rules()
        self.form_open = True

    async def _load_rules(self, unmet: tuple[str, ...] | None = None) -> None:
        try:
            policy = await asyncio.to_thread(self._services().password_change.policy)
        except AuthError:
            self.rules = []
            return
        self.rules = rule_items(policy, unmet)

    @rx.event
    def set_end_others(self, value: bool) -> None:
        """The "Sign out my other sessions" box."""
        self.end_others = bool(value)

    @rx.event
    def form_open_changed(self, is_open: bool) -> None:
        """The dialog's own close (Cancel, Escape, a click outside)."""
        if not is_open and not self.busy:
            self.form_open, self.error, self.status = False, "", ""

    @rx.event
    async def submit_change(self, form: dict[str, str]) -> AsyncIterator[EventSpec | None]:
        """Set the new password; the service checks the sign-in's age again."""
        user = await self._current_user()
        if user is None:
            self.form_open = False
            yield self.login_redirect()
            return
        if self.busy or not self.form_open:
            return
        new_password = str(form.get("change_password", ""))
        if new_password != str(form.get("change_repeat", "")):
            self.error, self.error_at = MISMATCH, AT_REPEAT
            return
        self.busy, self.error, self.status = True, "", SAY_CHANGING
        yield None
        try:
            ended = await asyncio.to_thread(
                self._services().password_change.change,
                user=user,
                new_password=new_password,
                session_id=self._session_id(),
                client=self._client(),
                end_other_sessions=self.end_others,
            )
        except PasswordRulesError as error:
            await self._load_rules(unmet=error.unmet)
            self._refused(error.user_message, AT_NEW)
            return
        except AuthError as error:
            if error.failure is AuthFailure.REAUTHENTICATION_REQUIRED:
                self._refused("", AT_FORM)
                self.form_open = False
                await self._ask_reauth(user, REASON)
                return
            at = AT_NEW if error.failure is AuthFailure.INVALID_NEW_PASSWORD else AT_FORM
            self._refused(error.user_message, at)
            return
        except UserFacingError as error:
            self._refused(error.user_message, AT_FORM)
            return
        except Exception:
            log.exception("password change failed unexpectedly")
            self._refused(AuthError(AuthFailure.UNEXPECTED).user_message, AT_FORM)
            return
        self.busy, self.status, self.form_open = False, "", False
        yield rx.toast.success(changed_message(ended))
        if ended:
            yield SessionsState.on_load  # type: ignore[misc]

    def _refused(self, message: str, at: str) -> None:
        self.busy, self.status, self.error, self.error_at = False, "", message, at
