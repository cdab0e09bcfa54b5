"""When the stand-in's SES accepted each mail: moto keeps no time for a message, so the
local outbox could only date mails that carry an email link. Each message gets a
``sent_at`` (ISO 8601, UTC) as moto creates it, which moto's own ``/moto-api/data.json``
then lists with the message's other public fields."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from moto.ses.models import Message

_lock = threading.Lock()
_original: Callable[..., None] | None = None


def install() -> None:
    """Date every SES message from now on. Idempotent."""
    global _original
    with _lock:
        if _original is not None:
            return
        original = Message.__init__
        _original = original

        @functools.wraps(original)
        def dated(self: Message, *args: Any, **kwargs: Any) -> None:
            original(self, *args, **kwargs)
            self.sent_at = datetime.now(UTC).isoformat()  # type: ignore[attr-defined]

        Message.__init__ = dated  # type: ignore[method-assign]


def uninstall() -> None:
    """Give moto back its own constructor."""
    global _original
    with _lock:
        if _original is not None:
            Message.__init__ = _original  # type: ignore[method-assign]
            _original = None
