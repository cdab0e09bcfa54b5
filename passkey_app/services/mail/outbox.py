"""The local outbox: mail the embedded AWS stand-in accepted, for the developer to open.

Only the embedded default has one; in production there is nothing to read and the
page does not exist. The stand-in lists what its SES kept at ``/moto-api/data.json``.
"""

from __future__ import annotations

import json
import urllib.request
from dataclasses import dataclass
from typing import Any

from passkey_app.settings import PoolSettings, Settings

DATA_PATH = "/moto-api/data.json"
MAX_MESSAGES = 20


class OutboxUnavailableError(Exception):
    """The stand-in could not be read (not running, or not the embedded default)."""


@dataclass(frozen=True)
class OutboxMessage:
    """One accepted message, newest first in listings."""

    id: str
    sender: str
    to: str
    subject: str
    html: str


class LocalOutbox:
    """Reads the stand-in's accepted SES mail."""

    def __init__(self, endpoint_url: str) -> None:
        self._url = endpoint_url.rstrip("/") + DATA_PATH

    def messages(self, *, limit: int = MAX_MESSAGES) -> list[OutboxMessage]:
        """The newest ``limit`` messages."""
        try:
            with urllib.request.urlopen(self._url, timeout=5) as reply:  # noqa: S310 - our loopback stand-in
                data: dict[str, Any] = json.load(reply)
        except (OSError, ValueError) as error:
            raise OutboxUnavailableError(type(error).__name__) from error
        raw = data.get("ses", {}).get("Message", [])
        return [_message(item) for item in reversed(raw)][:limit]


def _message(item: dict[str, Any]) -> OutboxMessage:
    destinations = item.get("destinations") or {}
    return OutboxMessage(
        id=str(item.get("id", "")),
        sender=str(item.get("source", "")),
        to=", ".join(destinations.get("ToAddresses", [])),
        subject=str(item.get("subject", "")),
        html=str(item.get("body", "")),
    )


def local_outbox(settings: Settings, pool: PoolSettings) -> LocalOutbox | None:
    """The outbox of the embedded default, or None anywhere else (production)."""
    endpoint = settings.ses_endpoint_url or pool.endpoint_url
    if settings.mode != "embedded" or not endpoint:
        return None
    return LocalOutbox(endpoint)
