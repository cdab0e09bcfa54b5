"""The worker-pid header exists only when the production-profile test asks for it."""

from __future__ import annotations

import os

import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from passkey_app.api.worker_header import ENV_VAR, HEADER, worker_header


def _app() -> Starlette:
    return Starlette(routes=[Route("/", lambda _request: PlainTextResponse("ok"))])


def test_off_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    app = _app()
    assert worker_header(app) is app
    assert HEADER not in TestClient(app).get("/").headers


def test_names_the_worker_pid_when_enabled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VAR, "1")
    response = TestClient(worker_header(_app())).get("/")
    assert (response.text, response.headers[HEADER]) == ("ok", str(os.getpid()))
