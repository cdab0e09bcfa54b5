"""Terminal output: progress lines on stderr, results on stdout."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO


class Reporter:
    """Prints what a command is doing, so a slow AWS step never looks like a hang."""

    def __init__(self, *, out: TextIO | None = None, err: TextIO | None = None) -> None:
        self.out = out or sys.stdout
        self.err = err or sys.stderr

    def line(self, text: str = "") -> None:
        """A result line (stdout)."""
        print(text, file=self.out, flush=True)

    @contextmanager
    def step(self, label: str) -> Iterator[None]:
        """``label ...`` then ``done (1.2 s)`` on stderr around a long step."""
        print(f"  {label} ...", end="", file=self.err, flush=True)
        started = time.monotonic()
        try:
            yield
        except BaseException:
            print(" failed", file=self.err, flush=True)
            raise
        print(f" done ({time.monotonic() - started:.1f} s)", file=self.err, flush=True)
