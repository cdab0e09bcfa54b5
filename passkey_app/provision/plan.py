"""A plan: the changes provisioning would make, each readable as a diff and applicable.

Every step compares what AWS has with what the app needs and adds a Change only when
they differ, so an up-to-date pool gives an empty plan and a second run writes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

REDACTED = "<redacted>"


@dataclass(frozen=True)
class Change:
    """One write to AWS: what, why (diff lines), and the call that makes it."""

    target: str
    summary: str
    diff: tuple[str, ...] = ()
    apply: Callable[[], Any] = field(default=lambda: None, compare=False, repr=False)


@dataclass
class Plan:
    """The ordered changes of one provisioning run."""

    changes: list[Change] = field(default_factory=list)

    def add(self, change: Change) -> None:
        """Append a change (order matters: roles before functions before triggers)."""
        self.changes.append(change)

    @property
    def empty(self) -> bool:
        """Nothing to do: the pool is already provisioned."""
        return not self.changes

    def render(self) -> list[str]:
        """Human-readable lines: one heading per change, then its diff indented."""
        if self.empty:
            return ["Nothing to change: the pool is already provisioned."]
        lines = [f"{len(self.changes)} change(s):"]
        for number, change in enumerate(self.changes, start=1):
            lines.append(f"{number}. {change.target}: {change.summary}")
            lines.extend(f"     {line}" for line in change.diff)
        return lines


def dict_diff(
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    *,
    secret_keys: frozenset[str] = frozenset(),
) -> tuple[str, ...]:
    """``- key: old`` / ``+ key: new`` lines for the keys whose values differ."""
    lines: list[str] = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        if old is not None:
            lines.append(f"- {key}: {_show(key, old, secret_keys)}")
        if new is not None:
            lines.append(f"+ {key}: {_show(key, new, secret_keys)}")
    return tuple(lines)


def list_diff(name: str, before: Sequence[str], after: Sequence[str]) -> tuple[str, ...]:
    """``+ name: item`` / ``- name: item`` per item added or removed."""
    removed = [f"- {name}: {item}" for item in before if item not in after]
    added = [f"+ {name}: {item}" for item in after if item not in before]
    return tuple(removed + added)


def _show(key: str, value: Any, secret_keys: frozenset[str]) -> str:
    if key in secret_keys:
        return REDACTED
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)
