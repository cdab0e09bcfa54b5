"""Signing in with a passkey: after the email, from the "Sign in with a passkey" button
(usernameless), and from the email field's autofill (conditional mediation)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import reflex as rx
from reflex.event import EventSpec

from passkey_app import routes
from passkey_app.services.errors import AuthError, AuthFailure
from passkey_app.services.identity import normalize_email
from passkey_app.services.passkeys.login import PasskeyStep, PasswordStep
from passkey_app.state.ceremony import (
    AUTOFILL_DONE_ID,
    BrowserOutcome,
    autofill_call,
    browser_call,
    capabilities_call,
    read_outcome,
)
from passkey_app.state.login.card import STEP_EMAIL, STEP_PASSKEY, STEP_PASSWORD, LoginState
from passkey_app.state.login.email_link import request_link_script

log = logging.getLogger(__name__)


class PasskeyLoginState(LoginState):
    """Each ceremony has its own single-use challenge, kept server-side by handle."""

    passkey_js: str = ""
    discoverable_js: str = ""
    password_fallback: bool = False
    passkeys_supported: bool = True
    email_link_offered: bool = True
    email_link_js: str = ""
    _handle: str = ""
    _discoverable_handle: str = ""
    _autofill_handle: str = ""
    _conditional: bool = False

    @rx.event
    async def on_load(self) -> AsyncIterator[EventSpec | None]:
        """Signed-in people go on (to ``?next=`` or their account); others get the card
        and passkey options."""
        self._reset_card()
        self.passkey_js, self._handle, self.password_fallback = "", "", False
        if await self._current_user() is not None:
            yield rx.redirect(self.next_path or routes.ACCOUNT)
            return
        await self._prepare_discoverable()
        yield rx.call_script(capabilities_call(), callback=PasskeyLoginState.set_capabilities)

    @rx.event
    async def set_capabilities(self, result: Any) -> AsyncIterator[EventSpec | None]:
        """Offer passkeys only where the browser has them; start autofill where it can."""
        data = result.get("data") if isinstance(result, dict) else None
        data = data if isinstance(data, dict) else {}
        self.passkeys_supported = bool(data.get("webauthn"))
        self._conditional = bool(data.get("conditional"))
        if self._conditional and self.step == STEP_EMAIL:
            yield await self._autofill()

    @rx.event
    async def submit_email(self, form: dict[str, Any]) -> AsyncIterator[EventSpec | None]:
        """Step one. Accounts with passkeys get the passkey at once; every other address,
        known or not, gets the same password step (no enumeration)."""
        if self.busy:
            return
        self.busy, self.error, self.notice = True, "", ""
        yield None
        try:
            step = await asyncio.to_thread(
                self._services().passkey_login.step_for_email,
                email=str(form.get("email", "")),
                client=self._client(),
            )
        except AuthError as error:
            self.busy, self.error = False, error.user_message
            return
        self.email = normalize_email(str(form.get("email", ""))) or ""
        self.email_link_js = request_link_script(
            self._services().settings.api_url,
            email=self.email,
            purpose="login",
            next_path=self.next_path,
        )
        if isinstance(step, PasswordStep):
            self.step, self.busy, self.email_link_offered = STEP_PASSWORD, False, True
            return
        yield self._offer(step)

    def _offer(self, step: PasskeyStep) -> EventSpec:
        self.step, self.busy = STEP_PASSKEY, True
        self.password_fallback = step.password_fallback
        self.email_link_offered = not self._services().magic_links.policy.refuse_passkey_users
        self._handle = step.ceremony.handle
        self.passkey_js = browser_call("authenticate", step.ceremony.options)
        return rx.call_script(self.passkey_js, callback=PasskeyLoginState.finish_email_passkey)

    @rx.event
    def start_ceremony(self) -> None:
        """The click runs the prepared JS itself; here only the spinner starts."""
        self.busy, self.error = True, ""

    @rx.event
    async def finish_email_passkey(self, result: Any) -> AsyncIterator[EventSpec | None]:
        """The passkey asked for after the email."""
        handle, self._handle = self._handle, ""
        async for event in self._finish(handle, read_outcome(result)):
            yield event
        if self.error:
            await self._prepare_for_email()

    @rx.event
    async def finish_discoverable(self, result: Any) -> AsyncIterator[EventSpec | None]:
        """ "Sign in with a passkey": the credential names its own user."""
        handle, self._discoverable_handle = self._discoverable_handle, ""
        async for event in self._finish(handle, read_outcome(result)):
            yield event
        if self.error or not self.busy:
            await self._prepare_discoverable()
            if self._conditional and self.step == STEP_EMAIL:
                yield await self._autofill()

    @rx.event
    async def finish_autofill(self, result: Any) -> AsyncIterator[EventSpec | None]:
        """The person picked a passkey from the email field's suggestions."""
        outcome = read_outcome(result)
        handle, self._autofill_handle = self._autofill_handle, ""
        if outcome.aborted or (outcome.credential is None and not handle):
            return
        async for event in self._finish(handle, outcome):
            yield event

    async def _finish(self, handle: str, outcome: BrowserOutcome) -> AsyncIterator[EventSpec]:
        if outcome.credential is None:
            self.busy = False
            self.error = "" if outcome.aborted else outcome.message
            return
        if not handle:
            self.busy, self.error = False, AuthError(AuthFailure.CHALLENGE_EXPIRED).user_message
            return
        self.busy, self.error = True, ""
        login = self._services().passkey_login
        try:
            result = await asyncio.to_thread(
                login.finish, handle=handle, response=outcome.credential, client=self._client()
            )
        except AuthError as error:
            self.busy, self.error = False, error.user_message
            return
        except Exception:
            log.exception("passkey login failed unexpectedly")
            self.busy, self.error = False, AuthError(AuthFailure.UNEXPECTED).user_message
            return
        yield rx.call_script(self._handoff(result.handoff_code))

    async def _prepare_discoverable(self) -> None:
        login = self._services().passkey_login
        try:
            ceremony = await asyncio.to_thread(login.discoverable_options, client=self._client())
        except AuthError as error:
            self._discoverable_handle, self.discoverable_js = "", ""
            self.error = error.user_message
            return
        self._discoverable_handle = ceremony.handle
        self.discoverable_js = browser_call("authenticate", ceremony.options)

    async def _prepare_for_email(self) -> None:
        try:
            step = await asyncio.to_thread(
                self._services().passkey_login.step_for_email,
                email=self.email,
                client=self._client(),
            )
        except AuthError:
            return
        if isinstance(step, PasskeyStep):
            self._handle = step.ceremony.handle
            self.passkey_js = browser_call("authenticate", step.ceremony.options)

    async def _autofill(self) -> EventSpec | None:
        login = self._services().passkey_login
        try:
            ceremony = await asyncio.to_thread(login.discoverable_options, client=self._client())
        except AuthError as error:
            self.error = error.user_message
            return None
        self._autofill_handle = ceremony.handle
        # No callback: a pending conditional request must not hold Reflex's event queue.
        # The hidden AUTOFILL_DONE_ID button reports the outcome (see assets/passkeys.js).
        return rx.call_script(autofill_call(ceremony.options, done_button_id=AUTOFILL_DONE_ID))
