"""Cognito's quotas in tests: the stand-in's limiter on a clock the test moves by hand,
and botocore's retry backoff waiting on that clock instead of sleeping."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

import botocore.endpoint
import pytest

from passkey_app.local_cognito import quotas

BUSY = "The sign-in service is busy. Try again in a moment."
"""What a person is told when Cognito stays over its quota after the retries."""


@dataclass
class ManualClock:
    """Seconds that pass only when the test (or botocore's backoff) says so."""

    now: float = 1000.0
    waits: list[float] = field(default_factory=list)

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        """What botocore's backoff asked to wait: the clock moves, nobody waits."""
        self.waits.append(seconds)
        self.now += seconds


@contextmanager
def cognito_quotas(rates: Mapping[str, float], clock: ManualClock) -> Iterator[quotas.QuotaLimiter]:
    """The stand-in answers over ``rates`` (by category; AWS's defaults elsewhere) with
    TooManyRequestsException, until the block ends."""
    limiter = quotas.QuotaLimiter(quotas.scaled_rates(overrides=rates), clock=clock)
    quotas.enable(limiter)
    try:
        yield limiter
    finally:
        quotas.enable(None)


def backoff_on(clock: ManualClock, monkeypatch: pytest.MonkeyPatch) -> None:
    """botocore waits between tries with ``time.sleep`` in its endpoint module; make
    that wait move ``clock`` instead (botocore's own retry decision stays as it is)."""

    class _Time:
        sleep = staticmethod(clock.sleep)

    monkeypatch.setattr(botocore.endpoint, "time", _Time)
