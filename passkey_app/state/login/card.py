"""The email-first sign-in page: email, then password (or a new password when required)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import reflex as rx
from reflex.event import EventSpec

from passkey_app.auth import AuthState
from passkey_app.services.cognito.gateway import NewPasswordChallenge
from passkey_app.services.errors import AuthError, AuthFailure
from passkey_app.services.return_path import safe_return_path
from passkey_app.services.sessions.store import LoginSucceeded
from passkey_app.state.ceremony import handoff_call

log = logging.getLogger(__name__)

STEP_EMAIL = "email"
STEP_PASSWORD = "password"  # noqa: S105 (a step name)
STEP_NEW_PASSWORD = "new_password"  # noqa: S105 (a step name)
STEP_PASSKEY = "passkey"


class LoginState(AuthState):
    """Fields and handlers of the sign-in card."""

    step: str = STEP_EMAIL
    email: str = ""
    error: str = ""
    notice: str = ""
    busy: bool = False
    next_path: str = ""
    _challenge: NewPasswordChallenge | None = None

    def _reset_card(self) -> None:
        """Back to a clean email step, with the reason the person is here, if any, and
        where to return afterwards (``?next=``, followed only when it is safe)."""
        self.step, self.error, self.busy, self._challenge = STEP_EMAIL, "", False, None
        query = self.router.url.query_parameters
        self.next_path = safe_return_path(query.get("next"), default="")
        self.notice = (
            "You have signed out."
            if query.get("signed_out")
            else "That sign-in link expired. Sign in again."
            if query.get("expired")
            else ""
        )

    def _handoff(self, code: str) -> str:
        """JS that opens the browser session and returns the person where they were going."""
        return handoff_call(self._services().settings.api_url, code, self.next_path)

    @rx.event
    def change_email(self) -> None:
        """Back to step one."""
        self.step, self.error, self.busy, self._challenge = STEP_EMAIL, "", False, None

    @rx.event
    def use_password(self) -> None:
        """A password user whose passkey is not at hand."""
        self.step, self.error, self.busy = STEP_PASSWORD, "", False

    @rx.event
    async def submit_password(self, form: dict[str, str]) -> AsyncIterator[EventSpec | None]:
        """Step two: Cognito password auth; on success hand the session to the cookie route."""
        if self.busy:
            return
        self.busy, self.error = True, ""
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
            self.busy, self.error = False, error.user_message
            return
        except Exception:
            log.exception("password login failed unexpectedly")
            self.busy, self.error = False, AuthError(AuthFailure.UNEXPECTED).user_message
            return
        if isinstance(result, LoginSucceeded):
            yield rx.call_script(self._handoff(result.handoff_code))
            return
        self._challenge, self.step, self.busy = result.challenge, STEP_NEW_PASSWORD, False

    @rx.event
    async def submit_new_password(self, form: dict[str, str]) -> AsyncIterator[EventSpec | None]:
        """Answer NEW_PASSWORD_REQUIRED with the password the person chose."""
        if self.busy:
            return
        new_password, confirm = form.get("new_password", ""), form.get("confirm_password", "")
        if new_password != confirm:
            self.error = "The two passwords don't match."
            return
        if self._challenge is None:
            self.step, self.error = (
                STEP_EMAIL,
                AuthError(AuthFailure.CHALLENGE_EXPIRED).user_message,
            )
            return
        self.busy, self.error = True, ""
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
            self.busy, self.error = False, error.user_message
            if error.failure is AuthFailure.CHALLENGE_EXPIRED:
                self.step, self._challenge = STEP_EMAIL, None
            return
        except Exception:
            log.exception("new password failed unexpectedly")
            self.busy, self.error = False, AuthError(AuthFailure.UNEXPECTED).user_message
            return
        self._challenge = None
        yield rx.call_script(self._handoff(result.handoff_code))
