"""Run a coroutine to completion from a synchronous test, on a thread of its own: the
browser tests' Playwright keeps an event loop running in the main thread for the whole
session, so ``asyncio.run`` cannot be used there directly."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(coroutine)`` on a fresh thread; its result, or its exception."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
