"""Work that must not hold up the answer to a request (and must not show in its timing)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait

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
        self._pending: set[Future[None]] = set()
        self._lock = threading.Lock()

    def __call__(self, job: Job) -> None:
        """Queue ``job`` and return at once."""
        future = self._executor.submit(job)
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._finished)

    def shutdown(self) -> None:
        """Finish queued jobs, and the jobs they queue in turn (a sign-in's check queues
        its mail), then stop the threads."""
        while True:
            with self._lock:
                pending = list(self._pending)
            if not pending:
                break
            wait(pending)
        self._executor.shutdown(wait=True)

    def _finished(self, future: Future[None]) -> None:
        with self._lock:
            self._pending.discard(future)
        error = future.exception()
        if error is not None:
            log.error("background job failed", exc_info=error)
