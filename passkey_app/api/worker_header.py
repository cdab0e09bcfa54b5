"""``X-Passkey-Worker``: the backend worker's process id on every HTTP response.

Only when ``PASSKEY_EXPOSE_WORKER_PID=1`` (the production-profile test sets it), so a
test can prove that requests were served by several workers sharing one database and
one Redis. Off by default: a process id is nobody else's business.
"""

from __future__ import annotations

import os

from starlette.types import ASGIApp, Message, Receive, Scope, Send

ENV_VAR = "PASSKEY_EXPOSE_WORKER_PID"
HEADER = "x-passkey-worker"


class WorkerHeader:
    """ASGI middleware adding the worker pid to HTTP responses and websocket accepts."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self._app(scope, receive, send)
            return

        async def send_with_pid(message: Message) -> None:
            if message["type"] in ("http.response.start", "websocket.accept"):
                headers = list(message.get("headers") or [])
                headers.append((HEADER.encode(), str(os.getpid()).encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self._app(scope, receive, send_with_pid)


def worker_header(app: ASGIApp) -> ASGIApp:
    """``api_transformer`` hook: wrap the app only when the environment asks for it."""
    if os.environ.get(ENV_VAR) == "1":
        return WorkerHeader(app)
    return app
