"""``GET /api/session/me``: who is signed in, for a team's single-page front end on the
same site. The HttpOnly cookie identifies the session; the answer carries no token."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from passkey_app import routes
from passkey_app.services.container import Services

NO_STORE = {"Cache-Control": "no-store", "Vary": "Cookie"}


def session_id_of(request: Request, services: Services) -> str:
    """The session id from the HttpOnly cookie ("" when there is none)."""
    return request.cookies.get(services.settings.session_cookie_name, "")


def me_routes(services: Callable[[], Services]) -> list[Route]:
    """The route, for the Starlette app Reflex mounts its API under."""

    async def me(request: Request) -> Response:
        svc = services()
        session_id = session_id_of(request, svc)
        user = await asyncio.to_thread(svc.sessions.current, session_id) if session_id else None
        if user is None:
            return JSONResponse({"error": "signed_out"}, status_code=401, headers=NO_STORE)
        return JSONResponse(
            {
                "sub": user.sub,
                "email": user.email,
                "groups": list(user.groups),
                "method": user.auth_method,
                "expires_at": min(user.session_expires_at, user.idle_expires_at).isoformat(),
            },
            headers=NO_STORE,
        )

    return [Route(routes.API_SESSION_ME, me, methods=["GET"])]
