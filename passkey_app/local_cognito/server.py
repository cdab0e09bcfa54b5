"""The local AWS server: moto's server app, the extension, and state on disk.

``serve()`` runs moto's WSGI app (every service moto has) on a loopback address,
behind a middleware that serialises requests and saves the cognito-idp / SES state
after each successful mutating one. Cognito's request-rate quotas apply, at AWS's
default rates unless the environment says otherwise (``quotas.py``), from the moment
the pool is ready: the server's own first-start work is not throttled.
``GET /_local_cognito/ready`` answers 200 once the pool exists and
``local-cognito.json`` is written; ``wait_until_ready`` polls it.
"""

from __future__ import annotations

import io
import ipaddress
import logging
import os
import signal
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import parse_qs

import moto
from werkzeug.serving import make_server

from passkey_app.local_cognito import bootstrap, persistence, quotas
from passkey_app.local_cognito.extension import install

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 9229
READY_PATH = "/_local_cognito/ready"
SAVE_INTERVAL_SECONDS = 1.0
SAVE_COST_FACTOR = 10
"""A write waits at least this many times as long as the last one took: pickling a pool of
10,000 users takes about 0.3 s under the lock, which a write every second made a third
of a bulk job's time."""
_READ_ONLY_PREFIXES = ("Get", "List", "Describe", "AdminGet", "AdminList")
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

logger = logging.getLogger(__name__)

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class PersistingApp:
    """WSGI middleware: one request at a time; a change marks the state dirty and the
    server's loop writes it at most once per ``SAVE_INTERVAL_SECONDS``, or once per
    ``SAVE_COST_FACTOR`` times the last write's duration when that is longer (and on
    exit), so writing never takes more than about a tenth of the server's time.

    Writing after every request made bulk work (seeding thousands of users) quadratic:
    each write pickles the whole state.
    """

    def __init__(self, app: WsgiApp, state_path: Path) -> None:
        self._app = app
        self._state_path = state_path
        self._lock = threading.RLock()
        self._dirty = False
        self._last_save = 0.0
        self._save_seconds = 0.0
        self.ready = threading.Event()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == READY_PATH:
            status = "200 OK" if self.ready.is_set() else "503 Service Unavailable"
            start_response(status, [("Content-Type", "text/plain")])
            return [status.encode()]
        statuses: list[int] = []

        def recording_start_response(status: str, *args: Any) -> Any:
            statuses.append(int(status.split(" ", 1)[0]))
            return start_response(status, *args)

        with self._lock:
            mutating = _is_mutating(environ)
            result = self._app(environ, recording_start_response)
            try:
                body = list(result)
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
            if mutating and statuses and statuses[0] < 400:
                self._dirty = True
        return body

    def save_if_due(self, now: float) -> None:
        """Write the state when it changed and the last write is old enough."""
        wait = max(SAVE_INTERVAL_SECONDS, SAVE_COST_FACTOR * self._save_seconds)
        if self._dirty and now - self._last_save >= wait:
            self.save()

    def save(self) -> None:
        """Write the state now; a failure is reported, never raised into a request."""
        with self._lock:
            self._dirty, started = False, time.monotonic()
            try:
                persistence.save_state(self._state_path)
            except Exception:
                logger.exception("could not save the local AWS state to %s", self._state_path)
            self._last_save = time.monotonic()
            self._save_seconds = self._last_save - started


def serve(*, host: str, port: int, data_dir: Path, verbose: bool = False) -> None:
    """Run the local AWS server until SIGINT or SIGTERM; save the state on the way out."""
    require_loopback(host)
    limiter = quotas.from_environment(os.environ)
    bootstrap.use_fake_aws_credentials()
    install()
    logging.getLogger("werkzeug").setLevel(logging.INFO if verbose else logging.WARNING)
    data_dir.mkdir(parents=True, exist_ok=True)
    state_path = data_dir / persistence.STATE_FILE
    _report_load(persistence.load_state(state_path), state_path)

    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )

    app = PersistingApp(DomainDispatcherApplication(create_backend_app), state_path)
    server = make_server(host, port, app, threaded=True, request_handler=MotoRequestHandler)
    endpoint_url = f"http://{_url_host(host)}:{server.server_port}"
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="local-aws", daemon=True
    )
    thread.start()
    stop = threading.Event()
    _on_signals(lambda: stop.set())
    try:
        prepared = bootstrap.prepare(endpoint_url)
        trigger_environment = bootstrap.TriggerEnvironment(data_dir, prepared.pool)
        trigger_environment.install()
        config_path = bootstrap.write_pool_file(data_dir, prepared.pool)
        quotas.enable(limiter)
        app.save()
        app.ready.set()
        print(bootstrap.format_banner(prepared, state_path=state_path, config_path=config_path))
        print(trigger_environment.describe())
        print(quotas.describe(limiter), flush=True)
        while not stop.wait(0.1):
            app.save_if_due(time.monotonic())
    finally:
        server.shutdown()
        thread.join(timeout=5)
        app.save()
        print("Local Cognito stopped; state saved.", flush=True)


def wait_until_ready(endpoint_url: str, timeout: float = 10.0) -> None:
    """Block until the server at ``endpoint_url`` is serving its pool.

    Raises TimeoutError if it is not ready within ``timeout`` seconds.
    """
    deadline = time.monotonic() + timeout
    url = endpoint_url.rstrip("/") + READY_PATH
    while True:
        try:
            with urllib.request.urlopen(url, timeout=1.0) as reply:  # noqa: S310 - http(s) only
                if reply.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if time.monotonic() >= deadline:
            raise TimeoutError(f"local Cognito at {endpoint_url} not ready after {timeout} s")
        time.sleep(0.05)


def require_loopback(host: str) -> None:
    """Refuse to listen beyond this machine: the server trusts anyone who reaches it."""
    if host == "localhost":
        return
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ValueError(f"--host must be a loopback address (127.0.0.1), not {host!r}")


def _is_mutating(environ: dict[str, Any]) -> bool:
    """Whether the request may change state: not a read (by method or action name)."""
    if environ.get("REQUEST_METHOD", "GET").upper() in _SAFE_METHODS:
        return False
    action = _action(environ)
    return action is None or not action.startswith(_READ_ONLY_PREFIXES)


def _action(environ: dict[str, Any]) -> str | None:
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return str(target).rsplit(".", 1)[-1]
    if not str(environ.get("CONTENT_TYPE", "")).startswith("application/x-www-form-urlencoded"):
        return None
    # Query protocol (SES v1): the action is in the form body; read it and put it back.
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(body)
    actions = parse_qs(body.decode("utf-8", "replace")).get("Action")
    return actions[0] if actions else None


def _report_load(outcome: persistence.LoadOutcome, state_path: Path) -> None:
    if outcome.moved_to is not None:
        print(
            f"WARNING: the saved local AWS state {state_path} could not be read "
            f"({outcome.problem}); it was moved to {outcome.moved_to} and a new pool "
            "will be created.",
            file=sys.stderr,
            flush=True,
        )
    elif outcome.loaded:
        print(f"Loaded the local AWS state from {state_path}", flush=True)
        if outcome.saved_by_moto != moto.__version__:
            print(
                f"WARNING: {state_path} was saved by moto {outcome.saved_by_moto}; this is "
                f"moto {moto.__version__}. If the server misbehaves, move the file aside.",
                file=sys.stderr,
                flush=True,
            )


def _on_signals(callback: Callable[[], None]) -> None:
    def handle(signum: int, frame: FrameType | None) -> None:
        callback()

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, handle)


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host
