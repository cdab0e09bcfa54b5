"""The event endpoint's size cap: an over-cap websocket frame closes the connection unread.

Reflex hands every frame on its event socket to socket.io, which parses it as JSON and
passes it to Reflex's event namespace; any connected client can send anything there.
This guard sits in front: a frame above ``MAX_EVENT_FRAME_BYTES`` closes the connection
with 1009 ("message too big") and never reaches socket.io. engine.io gets the same cap
(``cap_socket_buffer``) as a second line, and announces it to the browser's client.

The cap (64 KiB) leaves room for the largest message the app legitimately receives: a
WebAuthn response at its own cap (``MAX_PAYLOAD_BYTES``, 56 KiB, checked by the passkey
flows) inside the event envelope. The envelope is the socket.io prefix, the handler's name
(about 150 bytes) and the router data, which carries the page's URL twice (``asPath``
percent-encoded, ``query`` decoded): a 2 KB ``next`` path can take about 6 KB there.
8 KiB covers that, so an over-size WebAuthn response still gets the flows' own
TOO_LARGE answer rather than a dropped connection, and nothing larger is read.

The app runs socket.io over websocket only (rxconfig pins ``transport``), so engine.io
long-polling is not a way in: an HTTP request at the event endpoint is refused here too,
before engine.io could read a polling body this guard does not measure.
"""

from __future__ import annotations

import logging

from reflex.config import get_config
from reflex.constants import Endpoint
from reflex.environment import environment
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from passkey_app.services.webauthn.payload import MAX_PAYLOAD_BYTES

EVENT_ENVELOPE_ALLOWANCE_BYTES = 8 * 1024
MAX_EVENT_FRAME_BYTES = 64 * 1024
assert MAX_PAYLOAD_BYTES + EVENT_ENVELOPE_ALLOWANCE_BYTES <= MAX_EVENT_FRAME_BYTES
MESSAGE_TOO_BIG = 1009

logger = logging.getLogger(__name__)


def frame_size(message: Message) -> int:
    """The size in bytes of a ``websocket.receive`` message (UTF-8 for text frames)."""
    text = message.get("text")
    if text is not None:
        return len(text.encode("utf-8", errors="surrogatepass"))
    data = message.get("bytes")
    return len(data) if data is not None else 0


class EventGuard:
    """Cap the frames of the event websocket; refuse HTTP (long-polling) at its path.

    Other paths pass untouched. ``event_path`` is where Reflex mounts its socket
    (``/_event``); engine.io answers under it (``/_event/?EIO=4&transport=...``).
    """

    def __init__(
        self, app: ASGIApp, *, event_path: str, max_frame_bytes: int = MAX_EVENT_FRAME_BYTES
    ) -> None:
        self._app = app
        self._event_path = event_path.rstrip("/")
        self._max_frame_bytes = max_frame_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or not self._is_event_path(scope["path"]):
            await self._app(scope, receive, send)
            return
        if scope["type"] == "http":
            response = PlainTextResponse("The event endpoint is websocket only", status_code=403)
            await response(scope, receive, send)
            return
        await self._capped(scope, receive, send)

    def _is_event_path(self, path: str) -> bool:
        return path == self._event_path or path.startswith(f"{self._event_path}/")

    async def _capped(self, scope: Scope, receive: Receive, send: Send) -> None:
        closed = False

        async def receive_capped() -> Message:
            nonlocal closed
            message = await receive()
            if message["type"] != "websocket.receive" or closed:
                return message
            size = frame_size(message)
            if size <= self._max_frame_bytes:
                return message
            closed = True
            logger.warning(
                "Closed an event connection: a %d-byte frame is over the %d-byte cap",
                size,
                self._max_frame_bytes,
            )
            await send(
                {"type": "websocket.close", "code": MESSAGE_TOO_BIG, "reason": "message too big"}
            )
            # socket.io sees a client that went away and cleans up its session.
            return {"type": "websocket.disconnect", "code": MESSAGE_TOO_BIG}

        async def send_until_closed(message: Message) -> None:
            # After the guard's close, the app's own goodbye has nowhere to go.
            if not closed:
                await send(message)

        await self._app(scope, receive_capped, send_until_closed)


def event_guard(app: ASGIApp) -> ASGIApp:
    """``api_transformer`` hook: wrap the backend in the guard, at Reflex's event path."""
    event_path = get_config().prepend_backend_path(str(Endpoint.EVENT))
    return EventGuard(app, event_path=event_path)


def cap_socket_buffer() -> None:
    """Make engine.io refuse messages over the same cap (its default is 1 MB).

    Reflex reads ``REFLEX_SOCKET_MAX_HTTP_BUFFER_SIZE`` when ``rx.App`` builds its
    socket server, so this runs before the app is constructed. The value is forced,
    not defaulted: a larger one would be meaningless behind the guard.
    """
    environment.REFLEX_SOCKET_MAX_HTTP_BUFFER_SIZE.set(MAX_EVENT_FRAME_BYTES)
