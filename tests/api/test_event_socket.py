"""Attacks on the real app's event socket, in process: the guards as wired, no payload in a log.

The app module is imported as ``reflex run`` imports it, and its backend is assembled as
``App.__call__`` assembles it (Reflex's API, then our ``api_transformer`` list, under
Reflex's lifespan), minus the frontend compile. A Starlette test client then speaks
engine.io / socket.io to Reflex's own AsyncServer and event namespace, so every log line
below is written by Reflex's and engine.io's real code. A python-socketio client against
``reflex run`` would reach the same code through a server process and a frontend build.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient, WebSocketTestSession
from starlette.types import ASGIApp
from starlette.websockets import WebSocketDisconnect

from passkey_app.api.event_guard import MAX_EVENT_FRAME_BYTES, MESSAGE_TOO_BIG
from passkey_app.api.log_redaction import EventPayloadRedactor, redact_event_payloads
from passkey_app.settings import get_settings
from passkey_app.state.passkeys import PasskeysState

ORIGIN = "http://localhost:3000"
MARKER = "PAYLOAD-MARKER-"
COOKIE = "cookie-value-never-logged"
BUFFER_CAP_VAR = "REFLEX_SOCKET_MAX_HTTP_BUFFER_SIZE"


def _served(app: Any) -> Starlette:
    """The backend as ``App.__call__`` builds it, without compiling the frontend."""
    asgi: ASGIApp = app._api
    for transform in app.api_transformer:
        if isinstance(transform, Starlette):
            transform.mount("", asgi)
            asgi = transform
        else:
            asgi = transform(asgi)
    top = Starlette(lifespan=app._run_lifespan_tasks)
    top.mount("", asgi)
    return top


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The real app's backend with its lifespan running (Reflex's event processor)."""
    previous_cap = os.environ.get(BUFFER_CAP_VAR)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PASSKEY_DATA_DIR", str(tmp_path_factory.mktemp("app-data")))
        env.setenv("PASSKEY_ALLOWED_ORIGINS", ORIGIN)
        env.setenv("REFLEX_STATE_MANAGER_MODE", "memory")
        get_settings.cache_clear()
        try:
            from passkey_app.passkey_app import app

            with TestClient(_served(app), base_url="http://localhost:8000") as client:
                yield client
        finally:
            get_settings.cache_clear()
            if previous_cap is None:
                os.environ.pop(BUFFER_CAP_VAR, None)
            else:
                os.environ[BUFFER_CAP_VAR] = previous_cap


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]) -> Callable[[], str]:
    """Everything logged or printed from here on, at every level."""
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="engineio.server")
    caplog.set_level(logging.DEBUG, logger="socketio.server")

    def text() -> str:
        out, err = capfd.readouterr()
        return "\n".join([caplog.text, out, err])

    return text


@contextmanager
def _socket(
    client: TestClient, *, with_token: bool = False, cookie: str | None = None
) -> Iterator[tuple[WebSocketTestSession, str]]:
    """An engine.io websocket joined to Reflex's namespace; yields it and its socket.io sid.

    ``with_token`` sends a fresh tab token, as the browser does; without it the socket
    is a client that never identified itself.
    """
    query = "EIO=4&transport=websocket" + (f"&token={uuid.uuid4()}" if with_token else "")
    headers = {"Origin": ORIGIN, "Upgrade": "websocket"}
    if cookie:
        headers["Cookie"] = f"passkey_session={cookie}"
    with client.websocket_connect(f"/_event/?{query}", headers=headers) as websocket:
        assert websocket.receive_text().startswith("0{")
        websocket.send_text("40/_event,")
        joined = websocket.receive_text()
        assert joined.startswith("40/_event,")
        yield websocket, json.loads(joined.split(",", 1)[1])["sid"]


def _send_event(websocket: WebSocketTestSession, data: object) -> None:
    """Send one Reflex event, then wait until the socket has handled it (a ping's pong)."""
    websocket.send_text("42/_event," + json.dumps(["event", data]))
    websocket.send_text('42/_event,["ping"]')
    while (answer := websocket.receive_text()) != '42/_event,["ping","pong"]':
        assert answer.startswith('42/_event,["event",{"delta":'), answer[:200]


def _wait_for(found: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 10
    while not found():
        assert time.monotonic() < deadline, "the expected log line never came"
        time.sleep(0.05)


def _messages(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records]


def test_engineio_announces_the_event_frame_cap_to_the_browser(backend: TestClient) -> None:
    headers = {"Origin": ORIGIN, "Upgrade": "websocket"}
    with backend.websocket_connect("/_event/?EIO=4&transport=websocket", headers=headers) as ws:
        handshake = json.loads(ws.receive_text()[1:])
    assert handshake["maxPayload"] == MAX_EVENT_FRAME_BYTES


def test_an_event_without_a_token_is_refused_in_one_line_without_its_payload(
    backend: TestClient, caplog: pytest.LogCaptureFixture, logs: Callable[[], str]
) -> None:
    payload = {"blob": MARKER + "A" * 60_000}
    with _socket(backend) as (websocket, sid):
        _send_event(websocket, {"name": "state.any_handler", "payload": payload})
    assert (
        f"Refused an event from session {sid}: no token on the connection (payload not logged)"
        in _messages(caplog)
    )
    assert MARKER not in logs()


def test_a_500_kb_event_is_closed_unread_and_not_logged(
    backend: TestClient, caplog: pytest.LogCaptureFixture, logs: Callable[[], str]
) -> None:
    frame = "42/_event," + json.dumps(["event", {"name": "x", "payload": MARKER * 33_000}])
    with _socket(backend) as (websocket, _sid):
        websocket.send_text(frame)
        with pytest.raises(WebSocketDisconnect) as closed:
            websocket.receive_text()
    assert closed.value.code == MESSAGE_TOO_BIG
    assert (
        f"Closed an event connection: a {len(frame)}-byte frame is over the "
        f"{MAX_EVENT_FRAME_BYTES}-byte cap" in _messages(caplog)
    )
    assert MARKER not in logs()


@pytest.mark.parametrize(
    ("data", "string_line"),
    [
        ("not json " + MARKER, True),
        (json.dumps([MARKER]), True),
        ([MARKER], False),
    ],
    ids=["a string that is not JSON", "a JSON string that is not an object", "a list"],
)
def test_a_malformed_event_is_refused_without_its_payload(
    backend: TestClient,
    caplog: pytest.LogCaptureFixture,
    logs: Callable[[], str],
    data: object,
    string_line: bool,
) -> None:
    with _socket(backend, with_token=True) as (websocket, _sid):
        _send_event(websocket, data)
    messages = _messages(caplog)
    assert "Refused an event that is not a valid Reflex event (payload not logged)" in messages
    assert ("Received an event as a string (payload not logged)" in messages) is string_line
    assert MARKER not in logs()


def test_an_event_for_no_handler_is_refused_without_its_payload_or_the_cookie(
    backend: TestClient, caplog: pytest.LogCaptureFixture, logs: Callable[[], str]
) -> None:
    with _socket(backend, with_token=True, cookie=COOKIE) as (websocket, _sid):
        _send_event(websocket, {"name": "state.no_such_handler", "payload": {"x": MARKER}})
        _wait_for(lambda: any("while routing it" in m for m in _messages(caplog)))
    [line] = [m for m in _messages(caplog) if "while routing it" in m]
    assert re.fullmatch(
        r"Refused an event \[txid=[\w-]+\]: KeyError at event_processor\.py:\d+ "
        r"while routing it \(payload not logged\)",
        line,
    )
    text = logs()
    assert MARKER not in text
    assert COOKIE not in text


def test_a_mistyped_argument_is_logged_without_its_value(
    backend: TestClient, caplog: pytest.LogCaptureFixture, logs: Callable[[], str]
) -> None:
    handler = f"{PasskeysState.get_full_name()}.open_rename"  # (passkey_id: int, name: str)
    with _socket(backend, with_token=True) as (websocket, _sid):
        _send_event(websocket, {"name": handler, "payload": {"passkey_id": MARKER, "name": "x"}})
    messages = _messages(caplog)
    assert (
        "Could not convert an event's arguments for handler PasskeysState.open_rename "
        "(payload not logged)" in messages
    )
    assert MARKER not in logs()


def test_the_backend_refuses_a_websocket_without_origin_but_serves_a_plain_get(
    backend: TestClient,
) -> None:
    with (
        pytest.raises(WebSocketDisconnect) as refused,
        backend.websocket_connect(
            "/_event/?EIO=4&transport=websocket", headers={"Upgrade": "websocket"}
        ),
    ):
        pass
    assert refused.value.code == 1008
    assert backend.get("/ping").status_code == 200
    polling = backend.get("/_event/?EIO=4&transport=polling", headers={"Origin": ORIGIN})
    assert polling.status_code == 403


def test_the_app_module_installs_the_redaction_once(backend: TestClient) -> None:
    redact_event_payloads()
    for name in ("reflex.app", "engineio.server"):
        filters = logging.getLogger(name).filters
        assert sum(isinstance(f, EventPayloadRedactor) for f in filters) == 1


def test_a_quoting_line_of_an_unforeseen_shape_is_withheld_not_raised(
    caplog: pytest.LogCaptureFixture,
) -> None:
    redact_event_payloads()
    logging.getLogger("reflex_base.vars.base").error(
        "Expected field 'State.count' to receive type 'int', but got %s", MARKER
    )
    assert _messages(caplog) == [
        "Withheld a log line from reflex_base.vars.base (payload not logged)"
    ]
