"""The event endpoint's frame cap and transport rule, over real websockets (Starlette's client)."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.testclient import TestClient
from starlette.websockets import WebSocket, WebSocketDisconnect

from passkey_app.api.event_guard import (
    MAX_EVENT_FRAME_BYTES,
    MESSAGE_TOO_BIG,
    EventGuard,
    event_guard,
)
from passkey_app.services.webauthn.payload import MAX_PAYLOAD_BYTES

SOCKET = "/_event/?EIO=4&transport=websocket"
# The longest handler name the app sends today, as Reflex spells it on the wire.
HANDLER = (
    "reflex___state____state.passkey_app___state___passkey_login____passkey_login_state"
    ".finish_email_passkey"
)


class Events:
    """A stand-in for socket.io behind the guard: it records every frame it is handed."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    async def socket(self, websocket: WebSocket) -> None:
        await websocket.accept()
        try:
            while True:
                message = await websocket.receive()
                if message["type"] == "websocket.disconnect":
                    self.seen.append(f"disconnect {message.get('code')}")
                    return
                frame = message.get("text") or message.get("bytes") or b""
                self.seen.append(f"frame {len(frame)}")
                await websocket.send_text(f"got {len(frame)}")
        except WebSocketDisconnect:  # pragma: no cover - the client left first
            self.seen.append("gone")

    def client(self) -> TestClient:
        async def page(_request: Request) -> Response:
            return PlainTextResponse("page")

        inner = Starlette(routes=[WebSocketRoute("/_event/", self.socket), Route("/page", page)])
        return TestClient(EventGuard(inner, event_path="/_event"))


@pytest.mark.parametrize("kind", ["text", "bytes"])
def test_a_frame_one_byte_over_the_cap_closes_the_socket_with_1009_unread(kind: str) -> None:
    events = Events()
    with events.client().websocket_connect(SOCKET) as websocket:
        if kind == "text":
            websocket.send_text("4" * (MAX_EVENT_FRAME_BYTES + 1))
        else:
            websocket.send_bytes(b"4" * (MAX_EVENT_FRAME_BYTES + 1))
        with pytest.raises(WebSocketDisconnect) as closed:
            websocket.receive_text()
    assert (closed.value.code, closed.value.reason) == (MESSAGE_TOO_BIG, "message too big")
    assert events.seen == [f"disconnect {MESSAGE_TOO_BIG}"]


def test_a_frame_of_500_kb_is_closed_the_same_way() -> None:
    events = Events()
    with events.client().websocket_connect(SOCKET) as websocket:
        websocket.send_text("42" + "x" * 500_000)
        with pytest.raises(WebSocketDisconnect) as closed:
            websocket.receive_text()
    assert closed.value.code == MESSAGE_TOO_BIG
    assert events.seen == [f"disconnect {MESSAGE_TOO_BIG}"]


def test_multibyte_text_is_measured_in_bytes_not_characters() -> None:
    events = Events()
    with events.client().websocket_connect(SOCKET) as websocket:
        websocket.send_text("é" * (MAX_EVENT_FRAME_BYTES // 2 + 1))  # under the cap in characters
        with pytest.raises(WebSocketDisconnect) as closed:
            websocket.receive_text()
    assert closed.value.code == MESSAGE_TOO_BIG


def test_normal_frames_and_a_frame_at_the_cap_pass() -> None:
    events = Events()
    with events.client().websocket_connect(SOCKET) as websocket:
        websocket.send_text('42/_event,["ping"]')
        assert websocket.receive_text() == "got 18"
        websocket.send_text("4" * MAX_EVENT_FRAME_BYTES)
        assert websocket.receive_text() == f"got {MAX_EVENT_FRAME_BYTES}"
    assert events.seen[:2] == ["frame 18", f"frame {MAX_EVENT_FRAME_BYTES}"]


def _largest_legitimate_event() -> str:
    """A WebAuthn response at the flows' own cap, sent from /login with a 2 KB ``next``."""
    credential = {
        "id": "A" * 43,
        "rawId": "A" * 43,
        "type": "public-key",
        "response": {"clientDataJSON": "B" * 200, "attestationObject": ""},
    }
    size = len(json.dumps(credential, separators=(",", ":")))
    credential["response"]["attestationObject"] = "C" * (MAX_PAYLOAD_BYTES - size)  # type: ignore[index]
    assert len(json.dumps(credential, separators=(",", ":"))) == MAX_PAYLOAD_BYTES
    next_path = "/account/" + "section/" * 254  # 2041 characters, a slash every 8
    event = {
        "name": HANDLER,
        "payload": {"result": {"ok": True, "data": credential}},
        "router_data": {
            "pathname": "/login",
            "asPath": "/login?" + urlencode({"next": next_path}),
            "query": {"next": next_path},
        },
    }
    return "42/_event," + json.dumps(["event", event], separators=(",", ":"))


def test_the_largest_webauthn_response_the_flows_accept_fits_in_one_frame() -> None:
    frame = _largest_legitimate_event()
    assert len(frame.encode()) <= MAX_EVENT_FRAME_BYTES
    events = Events()
    with events.client().websocket_connect(SOCKET) as websocket:
        websocket.send_text(frame)
        assert websocket.receive_text() == f"got {len(frame)}"


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_long_polling_at_the_event_path_is_refused(method: str) -> None:
    events = Events()
    response = events.client().request(
        method,
        "/_event/?EIO=4&transport=polling",
        headers={"Origin": "http://localhost:3000"},
        content=b'42/_event,["event",{}]' if method == "POST" else None,
    )
    assert (response.status_code, response.text) == (403, "The event endpoint is websocket only")
    assert events.seen == []


def test_other_paths_pass_untouched() -> None:
    response = Events().client().get("/page")
    assert (response.status_code, response.text) == (200, "page")


def test_the_hook_guards_reflexs_event_path() -> None:
    guarded = TestClient(event_guard(Starlette()))
    assert guarded.get("/_event/?EIO=4&transport=polling").status_code == 403
    assert guarded.get("/_events").status_code == 404
