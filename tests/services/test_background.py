"""The background runner: a failing job is logged, and shutdown waits for the jobs that
queued jobs queue in turn."""

from __future__ import annotations

import logging
import threading

import pytest

from passkey_app.services.background import BackgroundRunner


def test_shutdown_finishes_the_jobs_a_job_queues() -> None:
    runner = BackgroundRunner(name="test")
    ran: list[str] = []
    release = threading.Event()

    def mail() -> None:
        ran.append("mail")

    def check() -> None:
        release.wait(timeout=5)
        ran.append("check")
        runner(mail)

    runner(check)
    threading.Timer(0.05, release.set).start()
    runner.shutdown()
    assert ran == ["check", "mail"]


def test_a_failing_job_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    runner = BackgroundRunner(name="test")

    def broken() -> None:
        raise ValueError("boom")

    with caplog.at_level(logging.ERROR):
        runner(broken)
        runner.shutdown()
    assert [r.getMessage() for r in caplog.records] == ["background job failed"]
