"""The base state: who is signed in, read from the HttpOnly cookie on every check."""

from __future__ import annotations

import asyncio
import json
from http.cookies import CookieError, SimpleCookie
from typing import Any

import reflex as rx
from reflex.istate.data import RouterData

from passkey_app import routes
from passkey_app.models import USER_AGENT_LENGTH
from passkey_app.services.audit import ClientInfo
from passkey_app.services.client_address import client_ip, tab_key
from passkey_app.services.container import Services, get_services
from passkey_app.services.errors import AuthError
from passkey_app.services.sessions.store import SignedInUser
from passkey_app.settings import Settings
from passkey_app.state.ceremony import browser_call, read_outcome


def handoff_script(api_url: str, code: str) -> str:
    """JS that posts the handoff code to the cookie route in a full page navigation."""
    url = f"{api_url.rstrip('/')}{routes.API_SESSION_ACTIVATE}"
    return f"window.passkeyApp.postNavigate({json.dumps(url)}, {json.dumps({'code': code})})"


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


class SessionState(rx.State):
    """Helpers every page state uses; any connected client can send any event, so
    sensitive handlers call ``_require_user`` themselves instead of trusting on_load."""

    def _services(self) -> Services:
        return get_services()

    def _session_id(self) -> str:
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

    async def _reauth_ceremony(self, user: SignedInUser) -> tuple[str, str]:
        """(handle, JS) for confirming with one of the person's passkeys; ("", "") when
        they have none and only the password can confirm. AuthError (THROTTLED) when this
        tab or address started too many ceremonies."""
        account = self._services().passkey_account
        ceremony = await asyncio.to_thread(
            account.reauthentication_options, user=user, client=self._client()
        )
        if ceremony is None:
            return "", ""
        return ceremony.handle, browser_call("authenticate", ceremony.options)

    async def _confirm_with_passkey(self, user: SignedInUser, handle: str, result: Any) -> str:
        """Check the browser's answer to the re-authentication; "" on success, else the
        sentence to show."""
        outcome = read_outcome(result)
        if outcome.credential is None or not handle:
            return outcome.message
        try:
            await asyncio.to_thread(
                self._services().passkey_account.confirm_with_passkey,
                user=user,
                session_id=self._session_id(),
                handle=handle,
                response=outcome.credential,
                client=self._client(),
            )
        except AuthError as error:
            return error.user_message
        return ""

    async def _confirm_with_password(self, user: SignedInUser, form: dict[str, Any]) -> str:
        """Check the person's password; "" on success, else the sentence to show."""
        try:
            await asyncio.to_thread(
                self._services().passkey_account.confirm_with_password,
                user=user,
                session_id=self._session_id(),
                password=str(form.get("password", ""))[:256],
                client=self._client(),
            )
        except AuthError as error:
            return error.user_message
        return ""
