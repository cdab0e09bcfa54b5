"""Signing in with the password, choosing a new one when Cognito asks, and "Forgot your
password?": a code by email and a new password, which signs the person in (the code
proves the mailbox, and the new password is checked by Cognito like any other). An
account whose password an administrator reset comes here too, with a code already sent."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import reflex as rx
from reflex.event import EventSpec

from passkey_app.services.cognito.gateway import NewPasswordChallenge
from passkey_app.services.errors import AuthError, AuthFailure, UserFacingError
from passkey_app.services.password.policy import MISMATCH, PasswordRulesError
from passkey_app.services.sessions.store import LoginSucceeded
from passkey_app.state.login.card import (
    AT_FORM,
    SAY_CHECKING,
    SAY_SENDING_CODE,
    STEP_EMAIL,
    STEP_NEW_PASSWORD,
    STEP_PASSWORD,
    STEP_RESET,
    LoginState,
)
from passkey_app.state.password_rules import RuleItem, rule_items

log = logging.getLogger(__name__)

# Where a reset error is shown: next to the field it is about.
AT_CODE = "code"
AT_NEW_PASSWORD = "new_password"  # noqa: S105 (a place on the page)
AT_REPEAT = "repeat"
_AT_FOR_FAILURE = {
    AuthFailure.CODE_INVALID: AT_CODE,
    AuthFailure.CODE_EXPIRED: AT_CODE,
    AuthFailure.INVALID_NEW_PASSWORD: AT_NEW_PASSWORD,
}
RESET_REQUIRED = "Your password has to be reset before you can sign in."
PASSWORD_CHANGED = "Password changed. You're signed in with it."  # noqa: S105
NEW_CODE_SENT = "If this address has an account, a new code is on its way."


class PasswordLoginState(LoginState):
    """The password step of the card."""

    _challenge: NewPasswordChallenge | None = None
    rules: list[RuleItem] = []
    reset_required: bool = False

    @rx.event
    async def submit_password(self, form: dict[str, str]) -> AsyncIterator[EventSpec | None]:
        """Cognito password auth; on success the session opens."""
        if self.busy or self.step != STEP_PASSWORD:
            return
        self._working(SAY_CHECKING)
        yield None
        login = self._services().password_login
        try:
            result = await asyncio.to_thread(
                login.login,
                email=self.email,
                password=form.get("password", ""),
                client=self._client(),
            )
        except AuthError as error:
            if error.failure is AuthFailure.PASSWORD_RESET_REQUIRED:
                async for event in self._start_reset(required=True):
                    yield event
                return
            self._failed(error.user_message)
            return
        except Exception:
            log.exception("password login failed unexpectedly")
            self._failed(AuthError(AuthFailure.UNEXPECTED).user_message)
            return
        if isinstance(result, LoginSucceeded):
            yield self._signed_in(result)
            return
        self._challenge = result.challenge
        self._go(STEP_NEW_PASSWORD)

    @rx.event
    async def submit_new_password(self, form: dict[str, str]) -> AsyncIterator[EventSpec | None]:
        """Answer NEW_PASSWORD_REQUIRED with the password the person chose."""
        if self.busy:
            return
        new_password, confirm = form.get("new_password", ""), form.get("confirm_password", "")
        if new_password != confirm:
            self._failed("The two passwords don't match.")
            return
        if self._challenge is None or self.step != STEP_NEW_PASSWORD:
            self._go(STEP_EMAIL)
            self._failed(AuthError(AuthFailure.CHALLENGE_EXPIRED).user_message)
            return
        self._working(SAY_CHECKING)
        yield None
        login = self._services().password_login
        try:
            result = await asyncio.to_thread(
                login.set_new_password,
                challenge=self._challenge,
                email=self.email,
                new_password=new_password,
                client=self._client(),
            )
        except AuthError as error:
            if error.failure is AuthFailure.CHALLENGE_EXPIRED:
                self._challenge = None
                self._go(STEP_EMAIL)
            self._failed(error.user_message)
            return
        except Exception:
            log.exception("new password failed unexpectedly")
            self._failed(AuthError(AuthFailure.UNEXPECTED).user_message)
            return
        self._challenge = None
        yield self._signed_in(result)

    @rx.event
    async def forgot_password(self) -> AsyncIterator[EventSpec | None]:
        """ "Forgot your password?" on the password step: a code by email (the same
        answer for every address), then the reset step."""
        if self.busy or self.step != STEP_PASSWORD:
            return
        async for event in self._start_reset(required=False):
            yield event

    @rx.event
    async def send_new_code(self) -> AsyncIterator[EventSpec | None]:
        """ "Send a new code" on the reset step."""
        if self.busy or self.step != STEP_RESET:
            return
        self._working(SAY_SENDING_CODE)
        yield None
        if await self._request_code():
            self._go(STEP_RESET)
            yield rx.toast.info(NEW_CODE_SENT)

    @rx.event
    def back_to_password(self) -> None:
        """Back to the password step (the person remembered it)."""
        if not self.busy:
            self.reset_required = False
            self._go(STEP_PASSWORD)

    @rx.event
    async def submit_reset(self, form: dict[str, str]) -> AsyncIterator[EventSpec | None]:
        """The code and the new password: set it, then sign in with it."""
        if self.busy or self.step != STEP_RESET:
            return
        new_password = str(form.get("reset_password", ""))
        if new_password != str(form.get("reset_repeat", "")):
            self._failed(MISMATCH, AT_REPEAT)
            return
        self._working(SAY_CHECKING)
        yield None
        reset = self._services().password_reset
        try:
            result = await asyncio.to_thread(
                reset.reset,
                email=self.email,
                code=str(form.get("reset_code", "")),
                new_password=new_password,
                client=self._client(),
            )
        except PasswordRulesError as error:
            await self._load_rules(unmet=error.unmet)
            self._failed(error.user_message, AT_NEW_PASSWORD)
            return
        except AuthError as error:
            self._failed(error.user_message, _AT_FOR_FAILURE.get(error.failure, AT_FORM))
            return
        except Exception:
            log.exception("password reset failed unexpectedly")
            self._failed(AuthError(AuthFailure.UNEXPECTED).user_message)
            return
        self.reset_required = False
        yield rx.toast.success(PASSWORD_CHANGED)
        yield self._signed_in(result)

    async def _start_reset(self, *, required: bool) -> AsyncIterator[EventSpec | None]:
        self._working(SAY_SENDING_CODE)
        yield None
        if not await self._request_code():
            return
        await self._load_rules()
        self.reset_required = required
        self._go(STEP_RESET)

    async def _request_code(self) -> bool:
        """Ask for a code for the card's address; False (and the error shown) when the
        request was refused."""
        try:
            await asyncio.to_thread(
                self._services().password_reset.request_code,
                email=self.email,
                client=self._client(),
            )
        except UserFacingError as error:
            self._failed(error.user_message)
            return False
        return True

    async def _load_rules(self, unmet: tuple[str, ...] | None = None) -> None:
        """The pool's rules, marked against ``unmet`` when a password was checked; none
        shown when Cognito cannot be read now (the server still checks)."""
        try:
            policy = await asyncio.to_thread(self._services().password_reset.policy)
        except AuthError:
            self.rules = []
            return
        self.rules = rule_items(policy, unmet)
