"""What the user-agent module costs on its hot paths (a session list, every sign-in):
ua-parser's own parse, and describe() with its cache, measured in the same run.

    .venv/bin/python -m scripts.bench_user_agent
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import ua_parser

from passkey_app.services.user_agent import _describe, describe

AGENTS = [
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0",
]
ROUNDS = 2000


def _per_call_us(work: Callable[[str], object], *, fresh: str = "") -> float:
    samples = []
    for round_number in range(ROUNDS):
        agent = AGENTS[round_number % len(AGENTS)]
        if fresh:
            agent = f"{agent} {fresh}{round_number}"  # never seen: no cache can answer
        started = time.perf_counter()
        work(agent)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1e6


def main() -> None:
    """Print the figures."""
    for agent in AGENTS:  # ua-parser compiles its regexes on first use
        ua_parser.parse(agent)
    _describe.cache_clear()
    raw = _per_call_us(ua_parser.parse, fresh="raw")
    uncached = _per_call_us(describe, fresh="new")
    cached = _per_call_us(describe)
    print(f"ua-parser parse, new agent:      {raw:8.1f} us (median of {ROUNDS})")
    print(f"describe, new agent:             {uncached:8.1f} us")
    print(f"describe, agent seen before:     {cached:8.2f} us")
    print(f"cache speed-up (new / seen):     {uncached / cached:8.0f}x")


if __name__ == "__main__":
    main()
