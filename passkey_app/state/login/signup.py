"""Passkey-first sign-up: the email, then one click that creates the passkey."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import reflex as rx
from reflex.event import EventSpec

from passkey_app import routes
from passkey_app.auth import AuthState
from passkey_app.services.errors import AuthError, AuthFailure
from passkey_app.services.return_path import safe_return_path
from passkey_app.state.capabilities import CapabilitiesMixin
from passkey_app.state.ceremony import CeremonyKind, browser_call, forget_call, read_outcome

log = logging.getLogger(__name__)

STEP_EMAIL = "email"
STEP_CREATE = "create"

SAY_EMAIL = "No password needed: your device signs you in with a passkey."
SAY_CREATE = "One step left: create your passkey."
SAY_DEVICE = "Confirm with your device: fingerprint, face or screen lock…"
SAY_CREATING = "Creating your account…"
SAY_SIGNED_IN = "Account created. Taking you on…"


class SignupState(CapabilitiesMixin, AuthState):
    """Fields and handlers of the sign-up card."""

    step: str = STEP_EMAIL
    email: str = ""
    error: str = ""
    status: str = SAY_EMAIL
    busy: bool = False
    register_js: str = ""
    next_path: str = ""
    _handle: str = ""

    @rx.event
    async def on_load(self) -> AsyncIterator[EventSpec | None]:
        """Signed-in people go on (to ``?next=`` or their account); others start at the
        email."""
        self.step, self.error, self.busy, self.register_js, self._handle = (
            STEP_EMAIL,
            "",
            False,
            "",
            "",
        )
        self.status = SAY_EMAIL
        next_path = self.router.url.query_parameters.get("next")
        self.next_path = safe_return_path(next_path, default="")
        if await self._current_user() is not None:
            yield rx.redirect(self.next_path or routes.ACCOUNT)
            return
        yield self._detect_capabilities()

    @rx.event
    async def submit_email(self, form: dict[str, Any]) -> None:
        """Prepare the registration options, so the next click starts the ceremony at once."""
        if self.busy:
            return
        self.busy, self.error = True, ""
        try:
            ceremony = await asyncio.to_thread(
                self._services().passkey_signup.begin,
                email=str(form.get("email", "")),
                client=self._client(),
            )
        except AuthError as error:
            self.busy, self.error = False, error.user_message
            return
        self._handle = ceremony.handle
        self.register_js = browser_call("register", ceremony.options)
        self.email = str(ceremony.options.get("user", {}).get("name", ""))
        self.step, self.busy, self.status = STEP_CREATE, False, SAY_CREATE

    @rx.event
    def start_creating(self) -> None:
        """The click itself runs the prepared JS; here the card says what to do."""
        self.busy, self.error, self.status = True, "", SAY_DEVICE

    @rx.event
    def change_email(self) -> None:
        """Back to step one; the prepared challenge is dropped."""
        self.step, self.error, self.busy, self.register_js, self._handle = (
            STEP_EMAIL,
            "",
            False,
            "",
            "",
        )
        self.status = SAY_EMAIL

    @rx.event
    async def finish_signup(self, result: Any) -> AsyncIterator[EventSpec | None]:
        """The browser made a credential: create the account and sign the person in."""
        outcome = read_outcome(result)
        handle, self._handle = self._handle, ""
        if outcome.credential is None or not handle:
            self.busy = False
            self.error = (
                AuthError(AuthFailure.CHALLENGE_EXPIRED).user_message
                if outcome.credential is not None
                else ""
                if outcome.aborted
                else outcome.message_for(CeremonyKind.CREATE)
            )
            self.status = SAY_CREATE
            await self._prepare_again()
            return
        self.status = SAY_CREATING
        yield None
        signup = self._services().passkey_signup
        try:
            login = await asyncio.to_thread(
                signup.finish, handle=handle, response=outcome.credential, client=self._client()
            )
        except Exception as error:
            if not isinstance(error, AuthError):
                log.exception("passkey sign-up failed unexpectedly")
                error = AuthError(AuthFailure.UNEXPECTED)
            self.busy, self.error, self.status = False, error.user_message, SAY_CREATE
            await self._prepare_again()
            forget = forget_call(self._services().settings.rp_id, outcome.credential)
            if forget:
                yield rx.call_script(forget)
            return
        self.status = SAY_SIGNED_IN
        yield self._open_session(login, self.next_path)

    async def _prepare_again(self) -> None:
        """A fresh challenge for another try (each one is single-use)."""
        if self.step != STEP_CREATE or not self.email:
            return
        try:
            ceremony = await asyncio.to_thread(
                self._services().passkey_signup.begin, email=self.email, client=self._client()
            )
        except AuthError as error:
            self.error = error.user_message
            return
        self._handle = ceremony.handle
        self.register_js = browser_call("register", ceremony.options)
