"""An HTTP relay in front of the local Cognito stand-in that can go dark on cue.

The app's gateway is pointed at the relay; the test decides when Cognito stops
answering: at once, or right after a named operation (``AdminCreateUser``, say) so the
fault lands between two steps of a sign-up. Dark means every new request has its
connection closed without an answer, as when the server has died mid-flight (botocore
raises ConnectionClosedError, retries, then gives up). Nothing here mocks the app: its
real botocore client talks HTTP to a real stand-in.
"""

from __future__ import annotations

import http.client
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length"}


class FaultProxy:
    """Relays to ``upstream`` until told to go dark; counts the operations it saw."""

    def __init__(self, upstream: str) -> None:
        target = urlsplit(upstream)
        self._upstream = (target.hostname or "127.0.0.1", target.port or 80)
        self._lock = threading.Lock()
        self._dark = False
        self._dark_after: str | None = None
        self.relayed: list[str] = []
        self.dropped: list[str] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        """Where the app's gateway should send its requests."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def go_dark(self, *, after: str | None = None) -> None:
        """Stop answering now, or once the operation ``after`` has been relayed."""
        with self._lock:
            if after is None:
                self._dark = True
            self._dark_after = after

    def come_back(self) -> None:
        """Relay again."""
        with self._lock:
            self._dark, self._dark_after = False, None

    def close(self) -> None:
        """Stop the relay."""
        self._server.shutdown()
        self._server.server_close()

    def _admit(self, operation: str) -> bool:
        with self._lock:
            if self._dark:
                self.dropped.append(operation)
                return False
            self.relayed.append(operation)
            if operation == self._dark_after:
                self._dark, self._dark_after = True, None
            return True

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Relay(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                """Quiet: requests carry credentials."""

            def _relay(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                target = self.headers.get("X-Amz-Target", "")
                operation = target.rsplit(".", 1)[-1] if target else self.path
                if not proxy._admit(operation):
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                upstream = http.client.HTTPConnection(*proxy._upstream, timeout=30)
                try:
                    headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
                    upstream.request(self.command, self.path, body=body, headers=headers)
                    answer = upstream.getresponse()
                    payload = answer.read()
                finally:
                    upstream.close()
                self.send_response(answer.status)
                for key, value in answer.getheaders():
                    if key.lower() not in _HOP_BY_HOP:
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = _relay
            do_POST = _relay

        return Relay


@contextmanager
def fault_proxy(upstream: str) -> Iterator[FaultProxy]:
    """A relay to ``upstream`` for the length of the block."""
    proxy = FaultProxy(upstream)
    try:
        yield proxy
    finally:
        proxy.close()
