"""Signing in with the password (and choosing a new one when Cognito asks)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import reflex as rx
from reflex.event import EventSpec

from passkey_app.services.cognito.gateway import NewPasswordChallenge
from passkey_app.services.errors import AuthError, AuthFailure
from passkey_app.services.sessions.store import LoginSucceeded
from passkey_app.state.login.card import (
    SAY_CHECKING,
    STEP_EMAIL,
    STEP_NEW_PASSWORD,
    STEP_PASSWORD,
    LoginState,
)

log = logging.getLogger(__name__)


class PasswordLoginState(LoginState):
    """The password step of the card."""

    _challenge: NewPasswordChallenge | None = None

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
