"""The team's API of tests/support/upstream.py over real HTTP, for the browser tests:

    granian --interface asgi tests.support.team_api_server:app

It reads the local stand-in's pool from ``TEAM_API_POOL_FILE`` (the stack's
local-cognito.json) and fetches the pool's JWKS on its first request."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import requests

from tests.support.upstream import TeamApi

_api: TeamApi | None = None


def _build() -> TeamApi:
    pool = json.loads(Path(os.environ["TEAM_API_POOL_FILE"]).read_text())
    endpoint = pool["endpoint_url"].rstrip("/")
    jwks = requests.get(f"{endpoint}/{pool['user_pool_id']}/.well-known/jwks.json", timeout=5)
    return TeamApi(
        jwks=jwks.json(),
        issuer=f"https://cognito-idp.{pool['region']}.amazonaws.com/{pool['user_pool_id']}",
        client_id=pool["client_id"],
    )


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """The ASGI entry point; the API is built on the first HTTP request."""
    global _api
    if scope["type"] == "lifespan":
        message = await receive()
        while message["type"] != "lifespan.shutdown":
            await send({"type": f"{message['type']}.complete"})
            message = await receive()
        await send({"type": "lifespan.shutdown.complete"})
        return
    if _api is None:
        _api = _build()
    await _api.app(scope, receive, send)
