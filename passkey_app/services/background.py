"""Work that must not hold up the answer to a request (and must not show in its timing)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

log = logging.getLogger(__name__)

Job = Callable[[], None]
Runner = Callable[[Job], None]


def run_now(job: Job) -> None:
    """Run in the caller's thread (tests, and anything that needs the result at once)."""
    job()


class BackgroundRunner:
    """A small thread pool; a failing job is logged, never raised into a request."""

    def __init__(self, *, workers: int = 2, name: str = "background") -> None:
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name)

    def __call__(self, job: Job) -> None:
        """Queue ``job`` and return at once."""
        self._executor.submit(job).add_done_callback(_report)

    def shutdown(self) -> None:
        """Finish queued jobs, then stop the threads."""
        self._executor.shutdown(wait=True)


def _report(future: Future[None]) -> None:
    error = future.exception()
    if error is not None:
        log.error("background job failed", exc_info=error)
