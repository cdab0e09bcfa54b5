"""Backend HTTP routes that set and clear the HttpOnly session cookie, and the origin guard.

The websocket cannot set an HttpOnly cookie, so the browser posts the one-time handoff
code here in a background request (the page stays: no reload after a sign-in); the
response carries the cookie and where to go next. Sign-out is a full page navigation,
so nothing of the signed-in page survives it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from passkey_app import routes
from passkey_app.api.health import health_routes
from passkey_app.api.magic_links import magic_link_routes
from passkey_app.api.me import me_routes, session_id_of
from passkey_app.api.request import client_of
from passkey_app.api.upstream import upstream_routes
from passkey_app.services.container import Services, get_services
from passkey_app.services.return_path import safe_return_path
from passkey_app.settings import get_settings

MAX_FORM_BYTES = 4096
_NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303, headers=_NO_STORE)


async def _form_field(request: Request, name: str) -> str:
    if int(request.headers.get("content-length") or 0) > MAX_FORM_BYTES:
        return ""
    form = await request.form()
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _origin_allowed(request: Request, services: Services) -> bool:
    return request.headers.get("origin") in services.settings.allowed_origins


def build_session_routes(services: Callable[[], Services] = get_services) -> Starlette:
    """The Starlette app Reflex mounts its own API under (``api_transformer``)."""

    async def activate(request: Request) -> Response:
        svc = services()
        if not _origin_allowed(request, svc):
            return PlainTextResponse("Forbidden", status_code=403, headers=_NO_STORE)
        code = await _form_field(request, "code")
        next_path = safe_return_path(await _form_field(request, "next"))
        session_id = await asyncio.to_thread(
            svc.sessions.activate, code, client=client_of(request, svc.settings)
        )
        if session_id is None:
            return JSONResponse({"error": "expired"}, status_code=400, headers=_NO_STORE)
        response = JSONResponse({"next": next_path}, headers=_NO_STORE)
        response.set_cookie(
            svc.settings.session_cookie_name,
            session_id,
            max_age=svc.settings.session_lifetime_hours * 3600,
            path="/",
            httponly=True,
            secure=svc.settings.cookie_secure,
            samesite="lax",
        )
        return response

    async def logout(request: Request) -> Response:
        svc = services()
        frontend = svc.settings.frontend_url.rstrip("/")
        if not _origin_allowed(request, svc):
            return PlainTextResponse("Forbidden", status_code=403, headers=_NO_STORE)
        session_id = session_id_of(request, svc)
        if session_id:
            await asyncio.to_thread(
                svc.sessions.end, session_id, client=client_of(request, svc.settings)
            )
        # After a deletion the session is already gone: only the cookie is left to clear.
        deleted = await _form_field(request, "then") == "deleted"
        target = routes.ACCOUNT_DELETED if deleted else f"{routes.LOGIN}?signed_out=1"
        response = _redirect(f"{frontend}{target}")
        response.delete_cookie(
            svc.settings.session_cookie_name,
            path="/",
            httponly=True,
            secure=svc.settings.cookie_secure,
            samesite="lax",
        )
        return response

    return Starlette(
        routes=[
            Route(routes.API_SESSION_ACTIVATE, activate, methods=["POST"]),
            Route(routes.API_SESSION_LOGOUT, logout, methods=["POST"]),
            *magic_link_routes(services),
            *me_routes(services),
            *upstream_routes(services),
            *health_routes(services),
        ]
    )


class OriginGuard:
    """Refuse a foreign Origin on any request, and a websocket handshake with no Origin.

    socket.io's own check is the first line; this one covers every route and cannot
    be loosened by a framework default. Browsers send Origin on every websocket
    handshake, so a handshake without one comes from a non-browser client and is
    refused like a foreign one. A plain HTTP request may lack it (a browser navigation
    to /api/magic-link/open sends none), so HTTP without Origin passes; the POST routes
    check Origin themselves.
    """

    def __init__(self, app: ASGIApp, allowed_origins: Callable[[], list[str]]) -> None:
        self._app = app
        self._allowed_origins = allowed_origins

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and not self._acceptable(scope):
            await self._refuse(scope, receive, send)
            return
        await self._app(scope, receive, send)

    def _acceptable(self, scope: Scope) -> bool:
        origin = next(
            (value.decode("latin-1") for key, value in scope["headers"] if key == b"origin"),
            None,
        )
        if origin is None:
            return scope["type"] == "http"
        return origin in self._allowed_origins()

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        await PlainTextResponse("Forbidden origin", status_code=403)(scope, receive, send)


def origin_guard(app: ASGIApp) -> ASGIApp:
    """``api_transformer`` hook: wrap Reflex's ASGI app in the origin guard."""
    return OriginGuard(app, lambda: get_settings().allowed_origins)
