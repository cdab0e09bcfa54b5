"""Signing in with a passkey: after the email, from the "Sign in with a passkey" button
(usernameless), and from the email field's autofill (conditional mediation)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import reflex as rx
from reflex.event import EventSpec

from passkey_app.services.errors import AuthError, AuthFailure
from passkey_app.services.identity import normalize_email
from passkey_app.services.passkeys.login import PasskeyStep, PasswordStep
from passkey_app.state.capabilities import CapabilitiesMixin
from passkey_app.state.ceremony import (
    AUTOFILL_DONE_ID,
    BrowserOutcome,
    CeremonyKind,
    autofill_call,
    browser_call,
    read_outcome,
)
from passkey_app.state.login.card import (
    AT_FORM,
    AT_PASSKEY_BUTTON,
    SAY_CHECKING,
    SAY_DEVICE,
    STEP_EMAIL,
    STEP_PASSKEY,
    STEP_PASSWORD,
    LoginState,
)
from passkey_app.state.login.email_link import EmailLinkLoginState

log = logging.getLogger(__name__)


class PasskeyLoginState(CapabilitiesMixin, LoginState):
    """Each ceremony has its own single-use challenge, kept server-side by handle."""

    passkey_js: str = ""
    discoverable_js: str = ""
    password_fallback: bool = False
    _handle: str = ""
    _discoverable_handle: str = ""
    _autofill_handle: str = ""

    @rx.event
    async def prepare(self) -> AsyncIterator[EventSpec | None]:
        """After the card's on_load: the button's request, ready before the click, and
        the question of what this browser can do."""
        self.passkey_js, self._handle, self.password_fallback = "", "", False
        self._autofill_handle = ""
        if self.signed_in:
            return
        await self._prepare_discoverable()
        yield self._detect_capabilities()

    async def _capabilities_known(self) -> EventSpec | None:
        """Start autofill where the browser has it, unless the person has just signed
        out: then it waits for them to use the email field (``autofill_on_use``), so
        a browser with one passkey does not sign straight back in."""
        if self.autofill_supported and self.step == STEP_EMAIL and not self.signed_out:
            return await self._autofill()
        return None

    @rx.event
    async def autofill_on_use(self) -> EventSpec | None:
        """The person clicked in the email field: after a sign-out, this is when autofill
        starts (once)."""
        return await self._autofill_after_sign_out()

    @rx.event
    async def autofill_on_key(self, _key: str) -> EventSpec | None:
        """A key in the email field: as a click."""
        return await self._autofill_after_sign_out()

    async def _autofill_after_sign_out(self) -> EventSpec | None:
        if not (self.autofill_supported and self.step == STEP_EMAIL and self.signed_out):
            return None
        if self._autofill_handle or self.busy:
            return None
        return await self._autofill()

    @rx.event
    async def submit_email(self, form: dict[str, Any]) -> AsyncIterator[EventSpec | None]:
        """Step one. Accounts with passkeys get the passkey at once; every other address,
        known or not, gets the same password step (no enumeration)."""
        if self.busy:
            return
        self._working(SAY_CHECKING)
        self.notice = ""
        yield None
        try:
            step = await asyncio.to_thread(
                self._services().passkey_login.step_for_email,
                email=str(form.get("email", "")),
                client=self._client(),
            )
        except AuthError as error:
            self._failed(error.user_message)
            return
        self.email = normalize_email(str(form.get("email", ""))) or ""
        links = await self.get_state(EmailLinkLoginState)
        links.offer_link(passkey_user=isinstance(step, PasskeyStep))
        if isinstance(step, PasswordStep):
            self._go(STEP_PASSWORD)
            return
        self._go(STEP_PASSKEY)
        self.password_fallback = step.password_fallback
        self._handle = step.ceremony.handle
        self.passkey_js = browser_call("authenticate", step.ceremony.options)
        self._working(SAY_DEVICE)
        yield rx.call_script(self.passkey_js, callback=PasskeyLoginState.finish_email_passkey)

    @rx.event
    def start_ceremony(self) -> None:
        """The click runs the prepared request itself; here the card says what to do."""
        self._working(SAY_DEVICE)

    @rx.event
    async def finish_email_passkey(self, result: Any) -> AsyncIterator[EventSpec | None]:
        """The passkey asked for after the email."""
        handle, self._handle = self._handle, ""
        async for event in self._finish(handle, read_outcome(result), AT_FORM):
            yield event
        if self.error:
            await self._prepare_for_email()

    @rx.event
    async def finish_discoverable(self, result: Any) -> AsyncIterator[EventSpec | None]:
        """ "Sign in with a passkey": the credential names its own user."""
        handle, self._discoverable_handle = self._discoverable_handle, ""
        async for event in self._finish(handle, read_outcome(result), AT_PASSKEY_BUTTON):
            yield event
        if self.error or not self.busy:
            await self._prepare_discoverable()
            if self.autofill_supported and self.step == STEP_EMAIL:
                yield await self._autofill()

    @rx.event
    async def finish_autofill(self, result: Any) -> AsyncIterator[EventSpec | None]:
        """The person picked a passkey from the email field's suggestions."""
        outcome = read_outcome(result)
        handle, self._autofill_handle = self._autofill_handle, ""
        if outcome.aborted or (outcome.credential is None and not handle):
            return
        async for event in self._finish(handle, outcome, AT_FORM):
            yield event

    async def _finish(
        self, handle: str, outcome: BrowserOutcome, at: str
    ) -> AsyncIterator[EventSpec | None]:
        if outcome.credential is None:
            if outcome.aborted:
                self._go(self.step)
            else:
                self._failed(outcome.message_for(CeremonyKind.SIGN_IN), at)
            return
        if not handle:
            self._failed(AuthError(AuthFailure.CHALLENGE_EXPIRED).user_message, at)
            return
        self._working(SAY_CHECKING)
        yield None
        login = self._services().passkey_login
        try:
            result = await asyncio.to_thread(
                login.finish, handle=handle, response=outcome.credential, client=self._client()
            )
        except AuthError as error:
            self._failed(error.user_message, at)
            return
        except Exception:
            log.exception("passkey login failed unexpectedly")
            self._failed(AuthError(AuthFailure.UNEXPECTED).user_message, at)
            return
        yield self._signed_in(result)

    async def _prepare_discoverable(self) -> None:
        login = self._services().passkey_login
        try:
            ceremony = await asyncio.to_thread(login.discoverable_options, client=self._client())
        except AuthError as error:
            self._discoverable_handle, self.discoverable_js = "", ""
            self._failed(error.user_message, AT_PASSKEY_BUTTON)
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
            self._failed(error.user_message)
            return None
        self._autofill_handle = ceremony.handle
        # No callback: a pending conditional request must not hold Reflex's event queue.
        # The hidden AUTOFILL_DONE_ID button reports the outcome (see assets/passkeys.js).
        return rx.call_script(autofill_call(ceremony.options, done_button_id=AUTOFILL_DONE_ID))
