"""Health for load balancers: can this worker reach what every sign-in needs?

The database (one ``SELECT 1``), Redis when the app is configured with it (a ``PING``),
and Cognito (``DescribeUserPool`` on the configured pool). The answer names each part
and says "ok", "unreachable" or "not configured": never a URL, a host or a secret.
Results are cached for a few seconds, so a busy balancer cannot turn into load.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import Engine

from passkey_app.services.cognito.gateway import CognitoGateway

log = logging.getLogger(__name__)

CACHE_SECONDS = 5.0
OK, UNREACHABLE, NOT_CONFIGURED = "ok", "unreachable", "not configured"


@dataclass(frozen=True)
class HealthReport:
    """Each part's state; healthy when every configured part is ok."""

    checks: dict[str, str]

    @property
    def healthy(self) -> bool:
        """Whether this worker can serve sign-ins."""
        return all(state in (OK, NOT_CONFIGURED) for state in self.checks.values())


def _ping_redis(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    finally:
        client.close()


class Health:
    """Runs the checks (at most once per ``CACHE_SECONDS``)."""

    def __init__(
        self,
        *,
        engine: Engine,
        gateway: CognitoGateway,
        redis_url: str | None,
        ping_redis: Callable[[str], None] = _ping_redis,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._engine = engine
        self._gateway = gateway
        self._redis_url = redis_url
        self._ping_redis = ping_redis
        self._clock = clock
        self._lock = threading.Lock()
        self._cached: tuple[float, HealthReport] | None = None

    def report(self) -> HealthReport:
        """The current state of each part."""
        with self._lock:
            now = self._clock()
            if self._cached is not None and now - self._cached[0] < CACHE_SECONDS:
                return self._cached[1]
            report = HealthReport(
                checks={
                    "database": self._check("database", self._database),
                    "redis": self._check("redis", self._redis)
                    if self._redis_url
                    else NOT_CONFIGURED,
                    "cognito": self._check("cognito", self._gateway.describe_pool),
                }
            )
            self._cached = (now, report)
            return report

    @staticmethod
    def _check(name: str, probe: Callable[[], object]) -> str:
        try:
            probe()
        except Exception as error:  # any failure of a dependency is "unreachable"
            log.warning("health: %s unreachable (%s)", name, type(error).__name__)
            return UNREACHABLE
        return OK

    def _database(self) -> None:
        with self._engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    def _redis(self) -> None:
        assert self._redis_url is not None
        self._ping_redis(self._redis_url)
