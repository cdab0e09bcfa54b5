"""The public API for a team's own pages: who is signed in, the page and event guards,
and the person's Cognito access token for the team's own APIs.

Everything here is resolved on the server, from the HttpOnly session cookie, for every
event: nothing the browser sends is trusted about who the person is, and no token ever
reaches a state var the browser sees. A page is guarded by its registration line
(``access=SIGNED_IN`` or ``access=group("admin")`` in ``passkey_app/app_pages.py``); an
event handler by ``@login_required`` (or ``@group_required("admin")``). Signed-out people
go to ``/login?next=<the page>`` and every sign-in method brings them back.
docs/building-on-it.md has a worked example.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
from collections.abc import AsyncIterator, Callable
from http.cookies import CookieError, SimpleCookie
from typing import Any, TypeVar
from urllib.parse import urlencode

import reflex as rx
from reflex.event import EventSpec
from reflex.istate.data import RouterData
from reflex.state import BaseState

from passkey_app import routes
from passkey_app.models import USER_AGENT_LENGTH
from passkey_app.services.audit import ClientInfo
from passkey_app.services.client_address import client_ip, tab_key
from passkey_app.services.container import Services, get_services
from passkey_app.services.return_path import login_url, safe_return_path
from passkey_app.services.sessions.store import LoginSucceeded, SignedInUser
from passkey_app.services.upstream import UpstreamResponse
from passkey_app.settings import Settings
from passkey_app.state.ceremony import focus_main_call, handoff_call, result_ok

__all__ = [
    "AuthState",
    "SignedInUser",
    "group_required",
    "login_required",
]

Handler = TypeVar("Handler", bound=Callable[..., Any])


def client_from_router(router: RouterData, settings: Settings) -> ClientInfo:
    """Who sent an event: the websocket's peer, or behind a trusted proxy the client named
    by its handshake's X-Forwarded-For (Reflex's own ``trusted_proxy_hops`` stays 0, so
    ``client_ip`` is the peer); the user agent; the tab, hashed; the page."""
    return ClientInfo(
        ip_address=client_ip(
            peer=router.session.client_ip or "",
            forwarded_for=router.headers.raw_headers.get("x-forwarded-for", ""),
            trusted_proxies=settings.trusted_proxy_networks,
        ),
        user_agent=(router.headers.user_agent or "")[:USER_AGENT_LENGTH],
        tab_key=tab_key(router.session.client_token),
        path=router.url.path,
    )


class AuthState(rx.State):
    """The base state of every page: who is signed in, resolved on the server from the
    HttpOnly cookie on every call. The public fields are for showing (a header's name,
    an admin link); decisions use ``signed_in_user()``, never the fields: any connected
    client can send any event."""

    signed_in: bool = False
    user_sub: str = ""
    user_email: str = ""
    user_groups: list[str] = []
    sign_in_method: str = ""
    # The session this tab signed in to, for the websocket it signed in on (its
    # handshake predates the cookie). Backend-only: never sent to the browser.
    _bound_session: str = ""
    _bound_socket: str = ""
    # Whose data this tab's page states hold: the sub of the person its guards last let
    # in, "" for nobody (see _settle_person).
    _person: str = ""

    def _services(self) -> Services:
        return get_services()

    def _session_id(self) -> str:
        """The session of this event: the one this tab's websocket signed in to, else
        the HttpOnly cookie its handshake carried."""
        if self._bound_session and self._bound_socket == self.router.session.session_id:
            return self._bound_session
        cookie_name = self._services().settings.session_cookie_name
        try:
            jar = SimpleCookie(self.router.headers.cookie or "")
        except CookieError:
            return ""
        morsel = jar.get(cookie_name)
        return morsel.value if morsel else ""

    def _client(self) -> ClientInfo:
        return client_from_router(self.router, self._services().settings)

    async def _current_user(self) -> SignedInUser | None:
        session_id = self._session_id()
        if not session_id:
            return None
        return await asyncio.to_thread(self._services().sessions.current, session_id)

    async def signed_in_user(self) -> SignedInUser | None:
        """The signed-in person (sub, email, groups, method), checked now from the cookie
        and the server-side session; None when nobody is. Also refreshes the public
        fields."""
        user = await self._current_user()
        self.signed_in = user is not None
        self.user_sub = user.sub if user else ""
        self.user_email = user.email if user else ""
        self.user_groups = list(user.groups) if user else []
        self.sign_in_method = user.auth_method if user else ""
        return user

    def _here(self) -> str:
        """The page this event came from, with its query: where to come back to."""
        url = self.router.url
        query = url.query_parameters
        return f"{url.path}?{urlencode(query)}" if query else url.path

    def login_redirect(self) -> EventSpec:
        """To the sign-in page, which brings the person back here afterwards."""
        return rx.redirect(login_url(self._here()))

    async def _settle_person(self) -> SignedInUser | None:
        """``signed_in_user``, and when the person is not the one this tab's page states
        were filled for (their session ended, or someone else signed in here: a shared
        computer), every page state of the tab is emptied first, so no page shows the
        last person's data, not even until its on_load has run."""
        user = await self.signed_in_user()
        sub = user.sub if user is not None else ""
        if self._person and self._person != sub:
            for state_class in _page_states(AuthState):
                (await self.get_state(state_class)).reset()
        self._person = sub
        return user

    @rx.event
    async def settle_person(self) -> None:
        """First on_load of a public page (the page table puts it there): a tab whose last
        person has gone shows their data nowhere, the sign-in card included."""
        await self._settle_person()

    @rx.event
    async def require_login(self) -> EventSpec | None:
        """Page guard (the page table puts it first in on_load): signed-out people go to
        sign in and come back."""
        if await self._settle_person() is None:
            return self.login_redirect()
        return None

    @rx.event
    async def require_group(self, group: str) -> EventSpec | None:
        """Page guard for members of a Cognito group; others see the 403 page."""
        user = await self._settle_person()
        if user is None:
            return self.login_redirect()
        if group not in user.groups:
            return rx.redirect(routes.FORBIDDEN)
        return None

    async def access_token(self) -> str | None:
        """A fresh Cognito access token for the team's own API calls, from the server-side
        session (refreshed when needed). Keep it in a local variable: never assign it to
        a state var, which would send it to the browser."""
        session_id = self._session_id()
        if not session_id:
            return None
        return await asyncio.to_thread(self._services().sessions.access_token, session_id)

    async def call_api(
        self,
        upstream: str,
        path: str,
        *,
        method: str = "GET",
        body: bytes = b"",
        headers: dict[str, str] | None = None,
    ) -> UpstreamResponse:
        """Call one of the team's APIs (``PASSKEY_API_UPSTREAMS``) as the signed-in person:
        the access token is added on the server, a 401 gets one refresh and one retry.
        UpstreamError when the call cannot be made."""
        session_id = self._session_id()
        sessions = self._services().sessions

        async def token(refresh: bool) -> str | None:
            return await asyncio.to_thread(sessions.access_token, session_id, force_refresh=refresh)

        return await self._services().upstreams.call(
            name=upstream, method=method, path=path, token=token, body=body, headers=headers
        )

    def _open_session(self, login: LoginSucceeded, next_path: str) -> EventSpec:
        """After any verified sign-in: the browser hands the one-time code to the cookie
        route in a background request (the HttpOnly cookie is set, the page stays), this
        tab is bound to the new session, and ``session_opened`` moves on to
        ``next_path`` (checked again there) or the account page, without a reload."""
        self._bound_session = login.binding
        self._bound_socket = self.router.session.session_id
        return rx.call_script(
            handoff_call(self._services().settings.api_url, login.handoff_code, next_path),
            callback=AuthState.session_opened,
        )

    @rx.event
    async def session_opened(self, result: Any) -> list[EventSpec]:
        """The cookie route's answer: on to where the person was going, or, when the code
        was refused (too late, used), back to sign in."""
        data = result.get("data") if isinstance(result, dict) else None
        target = data.get("next") if isinstance(data, dict) else None
        if result_ok(result) and isinstance(target, str) and await self._settle_person():
            path = safe_return_path(target)
            return [rx.redirect(path), rx.call_script(focus_main_call(path))]
        self._bound_session = self._bound_socket = ""
        return [rx.redirect(f"{routes.LOGIN}?expired=1")]


def _page_states(base: type[BaseState]) -> list[type[BaseState]]:
    """Every state class below ``base`` (the app's pages and the team's own)."""
    found: list[type[BaseState]] = []
    for state_class in sorted(base.get_substates(), key=lambda c: c.get_full_name()):
        found += [state_class, *_page_states(state_class)]
    return found


def _guarded(
    handler: Handler, allowed: Callable[[SignedInUser], bool], refused: Callable[[], EventSpec]
) -> Handler:
    """Wrap an event handler of an AuthState: it runs only for a signed-in person that
    ``allowed`` accepts; signed-out people are sent to sign in, others get ``refused``.
    The wrapper is an async generator whatever the handler is, as Reflex allows."""

    @functools.wraps(handler)
    async def guarded(state: AuthState, *args: Any, **kwargs: Any) -> AsyncIterator[Any]:
        user = await state.signed_in_user()
        if user is None:
            yield state.login_redirect()
            return
        if not allowed(user):
            yield refused()
            return
        result = handler(state, *args, **kwargs)
        if inspect.isasyncgen(result):
            async for event in result:
                yield event
            return
        if inspect.isawaitable(result):
            result = await result
        if inspect.isgenerator(result):
            for event in result:
                yield event
            return
        if result is not None:
            yield result

    return guarded  # type: ignore[return-value]


def login_required(handler: Handler) -> Handler:
    """Event-handler guard: ``@rx.event`` above ``@login_required``. A signed-out caller is
    sent to sign in (and back); the handler never runs for them."""
    return _guarded(handler, lambda user: True, lambda: rx.toast.error(FORBIDDEN_MESSAGE))


def group_required(group: str) -> Callable[[Handler], Handler]:
    """Event-handler guard for members of a Cognito group (``@group_required("admin")``)."""

    def decorate(handler: Handler) -> Handler:
        return _guarded(
            handler,
            lambda user: group in user.groups,
            lambda: rx.toast.error(FORBIDDEN_MESSAGE),
        )

    return decorate


FORBIDDEN_MESSAGE = "You don't have access to that."
