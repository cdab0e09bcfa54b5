"""``GET /api/health`` for load balancers: 200 when this worker can serve sign-ins, 503
otherwise, with each part's state and nothing else (no host, URL or secret)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from passkey_app import routes
from passkey_app.services.container import Services


def health_routes(services: Callable[[], Services]) -> list[Route]:
    """The route, for the Starlette app Reflex mounts its API under."""

    async def health(request: Request) -> Response:
        report = await asyncio.to_thread(services().health.report)
        return JSONResponse(
            {"status": "ok" if report.healthy else "unavailable", "checks": report.checks},
            status_code=200 if report.healthy else 503,
            headers={"Cache-Control": "no-store"},
        )

    return [Route(routes.API_HEALTH, health, methods=["GET"])]
