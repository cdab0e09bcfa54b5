"""Granian restarts a backend worker that died, instead of stopping the whole server.

``reflex run --env prod`` builds Granian's server without ``respawn_failed_workers``
(Granian's default is off), and Granian then answers the death of any one worker (a
SIGKILL, the kernel's OOM killer, a crash in native code) by shutting every worker down:
one lost process took the whole site with it. Reflex 0.10 offers no setting for it, so
``rxconfig.py`` (read by the process that starts Granian) calls
``respawn_failed_workers`` first, which turns Granian's default on. Granian keeps its own
guard: a worker that dies again within seconds of its restart still stops the server,
so a crash loop is not hidden.
"""

from __future__ import annotations

import functools
from typing import Any

_MARK = "_passkey_respawns_failed_workers"


def respawn_failed_workers() -> bool:
    """Make every Granian server created from now on restart failed workers, unless the
    caller says otherwise; whether Granian is installed (idempotent)."""
    try:
        from granian.server.common import AbstractServer
    except ImportError:
        return False
    original = AbstractServer.__init__
    if getattr(original, _MARK, False):
        return True

    @functools.wraps(original)
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("respawn_failed_workers", True)
        original(self, *args, **kwargs)

    setattr(__init__, _MARK, True)
    AbstractServer.__init__ = __init__  # type: ignore[method-assign]
    return True
