"""Granian restarts a dead backend worker (passkey_app/workers.py, called by rxconfig.py)."""

from __future__ import annotations

from granian.server import Server

import rxconfig  # noqa: F401  (what `reflex run` reads first)
from passkey_app.workers import respawn_failed_workers


def test_granian_servers_respawn_failed_workers_unless_told_otherwise() -> None:
    assert respawn_failed_workers() is True
    assert respawn_failed_workers() is True  # idempotent: wrapped once
    assert Server(target="passkey_app:app", workers=2).respawn_failed_workers is True
    told = Server(target="passkey_app:app", respawn_failed_workers=False)
    assert told.respawn_failed_workers is False
