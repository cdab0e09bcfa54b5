"""Backend routes of the email links: the request (which binds the link and its sign-in
code to this browser with an HttpOnly cookie) and the address in the mail (which moves the token
out of the URL into a short-lived HttpOnly cookie before any page script runs)."""

from __future__ import annotations

import asyncio
import html
from collections.abc import Callable
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from passkey_app import routes
from passkey_app.api.request import client_of
from passkey_app.services.container import Services
from passkey_app.services.errors import AuthError, AuthFailure
from passkey_app.services.magic_links.flows import LINK_LIFETIME
from passkey_app.services.magic_links.store import LinkPurpose, new_secret, well_formed
from passkey_app.services.return_path import safe_return_path
from passkey_app.settings import Settings

MAX_FORM_BYTES = 4096
_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def binding_cookie_name(settings: Settings) -> str:
    """The cookie holding the random value that ties a link to the browser that asked."""
    return "__Host-magic_link_binding" if settings.cookie_secure else "magic_link_binding"


def next_cookie_name(settings: Settings) -> str:
    """The cookie remembering where to return after signing in with the link."""
    return "__Host-magic_link_next" if settings.cookie_secure else "magic_link_next"


def token_cookie_name(settings: Settings) -> str:
    """The cookie carrying an opened link's token from the mail to the landing page."""
    return "__Host-magic_link_token" if settings.cookie_secure else "magic_link_token"


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303, headers=_HEADERS)


def _throttled(page: str, error: AuthError) -> Response:
    """429 with Retry-After; a browser (this was a full-page POST) goes on at once to the
    page that says when to try again."""
    url = f"{page}?{urlencode({'problem': error.failure.value, 'retry': error.retry_after})}"
    body = (
        f'<!doctype html><meta http-equiv="refresh" content="0;url={html.escape(url)}">'
        f'<p>{html.escape(error.user_message)} <a href="{html.escape(url)}">Continue</a></p>'
    )
    headers = {**_HEADERS, "Retry-After": str(error.retry_after)}
    return HTMLResponse(body, status_code=429, headers=headers)


def _set_cookie(response: Response, settings: Settings, name: str, value: str) -> None:
    response.set_cookie(
        name,
        value,
        max_age=int(LINK_LIFETIME.total_seconds()),
        path="/",
        httponly=True,
        secure=settings.cookie_secure,
        samesite="lax",
    )


async def _form(request: Request) -> dict[str, str]:
    if int(request.headers.get("content-length") or 0) > MAX_FORM_BYTES:
        return {}
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


def _binding_of(request: Request, settings: Settings) -> str:
    """This browser's binding value: the one it holds when well formed, so asking again
    before the mail arrives keeps the code on its way usable here; else a new one."""
    held = request.cookies.get(binding_cookie_name(settings), "")
    return held if well_formed(held) else new_secret()


def magic_link_routes(services: Callable[[], Services]) -> list[Route]:
    """The two routes, for the Starlette app Reflex mounts its API under."""

    async def request_link(request: Request) -> Response:
        svc = services()
        if request.headers.get("origin") not in svc.settings.allowed_origins:
            return PlainTextResponse("Forbidden", status_code=403, headers=_HEADERS)
        form = await _form(request)
        purpose = LinkPurpose.SIGNUP if form.get("purpose") == "signup" else LinkPurpose.LOGIN
        binding = _binding_of(request, svc.settings)
        sent_page = f"{svc.settings.frontend_url.rstrip('/')}{routes.MAGIC_LINK_SENT}"
        try:
            await asyncio.to_thread(
                svc.magic_links.request,
                email=form.get("email", "")[:320],
                purpose=purpose,
                binding=binding,
                client=client_of(request, svc.settings),
            )
        except AuthError as error:
            if error.failure is AuthFailure.THROTTLED and error.retry_after:
                return _throttled(sent_page, error)
            return _redirect(f"{sent_page}?{urlencode({'problem': error.failure.value})}")
        response = _redirect(sent_page)
        _set_cookie(response, svc.settings, binding_cookie_name(svc.settings), binding)
        next_path = safe_return_path(form.get("next"), default="")
        if next_path:
            _set_cookie(response, svc.settings, next_cookie_name(svc.settings), next_path)
        else:
            response.delete_cookie(next_cookie_name(svc.settings), path="/")
        return response

    async def open_link(request: Request) -> Response:
        svc = services()
        token = request.query_params.get("token", "")
        landing = f"{svc.settings.frontend_url.rstrip('/')}{routes.MAGIC_LINK_LANDING}"
        response = _redirect(landing)
        if well_formed(token):
            _set_cookie(response, svc.settings, token_cookie_name(svc.settings), token)
        else:
            response.delete_cookie(token_cookie_name(svc.settings), path="/")
        return response

    return [
        Route(routes.API_MAGIC_LINK_REQUEST, request_link, methods=["POST"]),
        Route(routes.API_MAGIC_LINK_OPEN, open_link, methods=["GET"]),
    ]
