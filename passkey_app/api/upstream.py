"""``/api/upstream/{name}/{path}``: the backend-for-frontend proxy to the team's own APIs.

The browser calls its own origin with its session cookie; the route forwards the request
to the upstream named in ``PASSKEY_API_UPSTREAMS`` with the person's access token and
without the cookie (services/upstream.py does the forwarding and its caps). A request
that changes something needs an allowed ``Origin``; a read that a browser marks as
coming from another site (``Sec-Fetch-Site``) is refused too, so a link on another site
cannot make the proxy act with the person's session.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from passkey_app import routes
from passkey_app.api.me import session_id_of
from passkey_app.services.container import Services
from passkey_app.services.upstream import (
    ALLOWED_METHODS,
    MAX_REQUEST_BODY_BYTES,
    UpstreamError,
    UpstreamFailure,
)

SAFE_METHODS = frozenset({"GET", "HEAD"})
_NO_STORE = {"Cache-Control": "no-store"}


def _refusal(failure: UpstreamFailure | str, status: int) -> Response:
    value = failure.value if isinstance(failure, UpstreamFailure) else failure
    return JSONResponse({"error": value}, status_code=status, headers=_NO_STORE)


def _same_site(request: Request, services: Services) -> bool:
    origin = request.headers.get("origin")
    if origin is not None:
        return origin in services.settings.allowed_origins
    if request.method not in SAFE_METHODS:
        return False
    return request.headers.get("sec-fetch-site", "same-origin") == "same-origin"


async def _body(request: Request) -> bytes | None:
    """The request body, or None when it is over the cap (read no further than that)."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_REQUEST_BODY_BYTES):
        return None
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > MAX_REQUEST_BODY_BYTES:
            return None
    return bytes(body)


def upstream_routes(services: Callable[[], Services]) -> list[Route]:
    """The proxy route, for the Starlette app Reflex mounts its API under."""

    async def proxy(request: Request) -> Response:
        svc = services()
        if not _same_site(request, svc):
            return _refusal("forbidden_origin", 403)
        name = request.path_params["name"]
        if not svc.upstreams.knows(name):
            return _refusal(UpstreamFailure.UNKNOWN_UPSTREAM, 404)
        if request.method not in ALLOWED_METHODS:
            return _refusal(UpstreamFailure.METHOD_NOT_ALLOWED, 405)
        session_id = session_id_of(request, svc)
        if not session_id:
            return _refusal(UpstreamFailure.SIGNED_OUT, 401)
        body = await _body(request)
        if body is None:
            return _refusal(UpstreamFailure.TOO_LARGE, 413)

        async def token(refresh: bool) -> str | None:
            return await asyncio.to_thread(
                svc.sessions.access_token, session_id, force_refresh=refresh
            )

        try:
            answer = await svc.upstreams.call(
                name=name,
                method=request.method,
                path=request.path_params["path"],
                query=request.url.query,
                headers=list(request.headers.items()),
                body=body,
                token=token,
            )
        except UpstreamError as error:
            return _refusal(error.failure, error.status)
        response = Response(content=answer.body, status_code=answer.status)
        for key, value in answer.headers:
            response.headers.append(key, value)
        response.headers["Cache-Control"] = "no-store"
        return response

    return [
        Route(
            f"{routes.API_UPSTREAM}/{{name}}/{{path:path}}",
            proxy,
            methods=sorted(ALLOWED_METHODS | {"HEAD", "OPTIONS", "TRACE"}),
        )
    ]
