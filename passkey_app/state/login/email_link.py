"""Email links in the browser: the request (a full-page POST, so the response can set
the HttpOnly binding cookie), the "check your email" page with its sign-in code field,
and the landing page that signs the person in, after a confirmation when the link was
opened elsewhere."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Mapping
from http.cookies import CookieError, SimpleCookie
from typing import Any

import reflex as rx
from reflex.event import EventSpec

from passkey_app import routes
from passkey_app.api.magic_links import (
    binding_cookie_name,
    next_cookie_name,
    token_cookie_name,
)
from passkey_app.auth import AuthState
from passkey_app.services.errors import MESSAGES, AuthError, AuthFailure, throttled_message
from passkey_app.services.identity import normalize_email
from passkey_app.services.magic_links.flows import (
    ConfirmationRequiredError,
    EmailConfirmed,
    LinkStatus,
)
from passkey_app.services.return_path import safe_return_path
from passkey_app.state.ceremony import post_navigate_call
from passkey_app.state.login.card import SAY_CHECKING, SAY_SIGNED_IN, LoginState

log = logging.getLogger(__name__)

LANDING_CHECKING = "checking"
LANDING_CONFIRM = "confirm"
LANDING_INVALID = "invalid"
LANDING_SIGNING_IN = "signing_in"
EMAIL_CONFIRMED = "Email confirmed. Thanks!"
MAX_RETRY_SECONDS = 24 * 3600
MAX_CODE_INPUT = 64


def cookie_of(headers_cookie: str, name: str) -> str:
    """One cookie of the websocket handshake's Cookie header ("" when absent or garbled)."""
    try:
        jar = SimpleCookie(headers_cookie or "")
    except CookieError:
        return ""
    morsel = jar.get(name)
    return morsel.value if morsel else ""


def request_link_script(api_url: str, *, email: str, purpose: str, next_path: str = "") -> str:
    """JS that posts a link request to the backend route in a full page navigation (the
    response sets the HttpOnly cookies binding the link to this browser and remembering
    where to return after it)."""
    fields = {"email": email, "purpose": purpose, "next": next_path}
    return post_navigate_call(f"{api_url.rstrip('/')}{routes.API_MAGIC_LINK_REQUEST}", fields)


def sent_page_problem(query: Mapping[str, str]) -> str:
    """The sentence for the ``problem`` the request route put in the address: for a
    refusal by a limit, with when to try again (``retry``, seconds). Anyone can edit the
    address, so only known problems and sane waits are shown."""
    raw = query.get("problem", "")
    failure = next((f for f in AuthFailure if f.value == raw), None)
    retry = query.get("retry", "")
    wait = int(retry) if retry.isascii() and retry.isdigit() and len(retry) <= 6 else 0
    if failure is AuthFailure.THROTTLED and 0 < wait <= MAX_RETRY_SECONDS:
        return throttled_message(wait)
    return MESSAGES[failure] if failure else ""


class EmailLinkLoginState(LoginState):
    """The sign-in card's "Email me a link" offer, below the passkey and password steps."""

    email_link_offered: bool = True
    email_link_js: str = ""

    def offer_link(self, *, passkey_user: bool) -> None:
        """Prepare the request for the address the card has, when the policy lets this
        person have links (unknown addresses get the password step's offer too, so it
        tells nothing about who has an account)."""
        policy = self._services().magic_links.policy
        self.email_link_offered = not (passkey_user and policy.refuse_passkey_users)
        self.email_link_js = request_link_script(
            self._services().settings.api_url,
            email=self.email,
            purpose="login",
            next_path=self.next_path,
        )


class MagicLinkSignupState(AuthState):
    """Sign-up by email link, for browsers without passkeys."""

    error: str = ""

    @rx.event
    def submit(self, form: dict[str, Any]) -> EventSpec | None:
        """Check the address, then ask the backend route for a sign-up link."""
        email = normalize_email(str(form.get("email", ""))[:320])
        if email is None:
            self.error = MESSAGES[AuthFailure.INVALID_EMAIL]
            return None
        self.error = ""
        api_url = self._services().settings.api_url
        next_path = safe_return_path(self.router.url.query_parameters.get("next"), default="")
        return rx.call_script(
            request_link_script(api_url, email=email, purpose="signup", next_path=next_path)
        )


class MagicLinkSentState(AuthState):
    """ "Check your email", or why no link could be asked for; and the sign-in code from
    the mail, which signs in here, in the browser that asked (its binding cookie)."""

    problem: str = ""
    code_error: str = ""
    code_status: str = ""
    code_busy: bool = False

    @rx.event
    def on_load(self) -> None:
        """Read the outcome the request route put in the address."""
        self.problem = sent_page_problem(self.router.url.query_parameters)
        self.code_error, self.code_status, self.code_busy = "", "", False

    def _cookie(self, name: str) -> str:
        return cookie_of(self.router.headers.cookie, name)

    def _code_failed(self, message: str) -> None:
        self.code_busy, self.code_error, self.code_status = False, message, ""

    @rx.event
    async def submit_code(self, form: dict[str, Any]) -> AsyncIterator[EventSpec | None]:
        """Check the typed code; on success the session opens without a reload and the
        person goes on to ``?next=`` (remembered by the request) or their account."""
        if self.code_busy:
            return
        self.code_busy, self.code_error, self.code_status = True, "", SAY_CHECKING
        yield None
        settings = self._services().settings
        signed_in = await self._current_user()
        try:
            login = await asyncio.to_thread(
                self._services().magic_links.redeem_code,
                code=str(form.get("code", ""))[:MAX_CODE_INPUT],
                binding=self._cookie(binding_cookie_name(settings)),
                client=self._client(),
                signed_in_sub=signed_in.sub if signed_in else None,
            )
        except AuthError as error:
            self._code_failed(error.user_message)
            return
        except Exception:
            log.exception("sign-in code failed unexpectedly")
            self._code_failed(MESSAGES[AuthFailure.UNEXPECTED])
            return
        if isinstance(login, EmailConfirmed):  # a confirmation mail carries no code
            yield rx.redirect(routes.ACCOUNT)
            return
        self.code_status = SAY_SIGNED_IN
        next_path = safe_return_path(self._cookie(next_cookie_name(settings)), default="")
        yield self._open_session(login, next_path)


class MagicLinkLandingState(AuthState):
    """The page a link leads to: signs in at once in the browser that asked for it."""

    status: str = LANDING_CHECKING
    email: str = ""
    signup: bool = False
    error: str = ""
    busy: bool = False

    def _cookie(self, name: str) -> str:
        return cookie_of(self.router.headers.cookie, name)

    def _secrets(self) -> tuple[str, str]:
        settings = self._services().settings
        return self._cookie(token_cookie_name(settings)), self._cookie(
            binding_cookie_name(settings)
        )

    @rx.event
    async def on_load(self) -> AsyncIterator[EventSpec | None]:
        """Look at the link without using it; sign in when this browser asked for it."""
        self.status, self.email, self.signup, self.error, self.busy = (
            LANDING_CHECKING,
            "",
            False,
            "",
            False,
        )
        token, binding = self._secrets()
        links = self._services().magic_links
        signed_in = await self._current_user()
        check = await asyncio.to_thread(
            links.check,
            token=token,
            binding=binding,
            client=self._client(),
            signed_in_sub=signed_in.sub if signed_in else None,
        )
        self.email, self.signup = check.email, check.signup
        if check.status is LinkStatus.INVALID:
            self.status, self.error = LANDING_INVALID, MESSAGES[AuthFailure.LINK_INVALID]
            return
        if check.status is LinkStatus.CONFIRM:
            self.status = LANDING_CONFIRM
            return
        async for event in self._redeem(confirmed=False):
            yield event

    @rx.event
    async def confirm(self) -> AsyncIterator[EventSpec | None]:
        """The person confirmed that they asked for this link, on another device."""
        if self.busy or self.status != LANDING_CONFIRM:
            return
        async for event in self._redeem(confirmed=True):
            yield event

    async def _redeem(self, *, confirmed: bool) -> AsyncIterator[EventSpec | None]:
        self.status, self.busy, self.error = LANDING_SIGNING_IN, True, ""
        yield None
        token, binding = self._secrets()
        links = self._services().magic_links
        signed_in = await self._current_user()
        try:
            login = await asyncio.to_thread(
                links.redeem,
                token=token,
                binding=binding,
                confirmed=confirmed,
                client=self._client(),
                signed_in_sub=signed_in.sub if signed_in else None,
            )
        except ConfirmationRequiredError:
            self.status, self.busy = LANDING_CONFIRM, False
            return
        except AuthError as error:
            self.status, self.busy, self.error = LANDING_INVALID, False, error.user_message
            return
        except Exception:
            log.exception("magic link sign-in failed unexpectedly")
            self.status, self.busy = LANDING_INVALID, False
            self.error = MESSAGES[AuthFailure.UNEXPECTED]
            return
        if isinstance(login, EmailConfirmed):
            yield rx.redirect(routes.ACCOUNT)
            yield rx.toast.success(EMAIL_CONFIRMED)
            return
        settings = self._services().settings
        next_path = safe_return_path(self._cookie(next_cookie_name(settings)), default="")
        yield self._open_session(login, next_path)
