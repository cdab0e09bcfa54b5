"""Progress of long commands on stderr: a bar with counts, rate and time left (rich),
drawn only on a terminal; the command prints its one-line summary itself."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)


@contextmanager
def seed_progress(total: int, *, console: Console | None = None) -> Iterator[Callable[[int], None]]:
    """A bar for ``total`` users; yields the function to call with how many are done."""
    bar = Progress(
        TextColumn("seeding users"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
        console=console or Console(stderr=True),
        transient=False,
    )
    task = bar.add_task("seed", total=total, rate="")

    def advance(done: int) -> None:
        speed = bar.tasks[0].speed
        bar.update(task, completed=done, rate=f"{speed:.0f} users/s" if speed else "")

    with bar:
        yield advance
