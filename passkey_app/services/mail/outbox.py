"""The local outbox: mail the embedded AWS stand-in accepted, for the developer to open.

Only the embedded default has one; in production there is nothing to read and the
page does not exist. The stand-in lists what its SES kept at ``/moto-api/data.json``,
each message dated when it was accepted (local_cognito/mail_times.py). For a mail that
carries an email link, ``link_states`` finds the link's row (by the hash of the token,
as the app itself does): whether it was used, replaced or has expired.
"""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import col, select

from passkey_app.db import session_scope
from passkey_app.models import MagicLink
from passkey_app.services.clock import as_utc
from passkey_app.services.magic_links.store import digest
from passkey_app.settings import PoolSettings, Settings

DATA_PATH = "/moto-api/data.json"
MAX_MESSAGES = 20
_LINK_TOKEN = re.compile(r"[?&]token=([A-Za-z0-9_-]{16,128})")


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
    sent_at: datetime | None = None


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
        sent_at=_moment(item.get("sent_at")),
    )


def _moment(value: object) -> datetime | None:
    """The stand-in's ISO 8601 time, or None when it has none (or an unreadable one)."""
    if not isinstance(value, str):
        return None
    try:
        return as_utc(datetime.fromisoformat(value))
    except ValueError:
        return None


class LinkState(StrEnum):
    """Whether the link in a mail still works (what the page marks)."""

    LIVE = "live"
    USED = "used"
    REPLACED = "replaced"
    """A newer link was sent to the same address."""
    EXPIRED = "expired"
    GONE = "gone"
    """No row any more (pruned after expiry)."""
    NONE = "none"
    """The mail carries no sign-in link (a security notice, a password-reset code)."""


@dataclass(frozen=True)
class LinkStatus:
    """When the mail's link was issued and what became of it."""

    state: LinkState
    sent_at: datetime | None = None
    changed_at: datetime | None = None
    """When it was used, replaced or expired (None while it is live)."""


def link_token(html: str) -> str | None:
    """The token of the email link in a mail's body, if it has one."""
    found = _LINK_TOKEN.search(html)
    return found.group(1) if found else None


def _status(row: MagicLink | None, now: datetime) -> LinkStatus:
    if row is None:
        return LinkStatus(LinkState.GONE)
    sent, expires = as_utc(row.created_at), as_utc(row.expires_at)
    if row.consumed_at is not None:
        return LinkStatus(LinkState.USED, sent, as_utc(row.consumed_at))
    if row.superseded_at is not None:
        return LinkStatus(LinkState.REPLACED, sent, as_utc(row.superseded_at))
    if expires <= now:
        return LinkStatus(LinkState.EXPIRED, sent, expires)
    return LinkStatus(LinkState.LIVE, sent)


def link_states(
    engine: Engine, messages: Iterable[OutboxMessage], *, now: datetime
) -> dict[str, LinkStatus]:
    """Each message's link status, by message id (one query for the whole page)."""
    tokens = {m.id: link_token(m.html) for m in messages}
    hashes = {digest(token) for token in tokens.values() if token}
    with session_scope(engine) as db:
        rows = (
            db.exec(select(MagicLink).where(col(MagicLink.token_hash).in_(hashes))).all()
            if hashes
            else []
        )
    by_hash = {row.token_hash: row for row in rows}
    return {
        message_id: (
            _status(by_hash.get(digest(token)), now) if token else LinkStatus(LinkState.NONE)
        )
        for message_id, token in tokens.items()
    }


def local_outbox(settings: Settings, pool: PoolSettings) -> LocalOutbox | None:
    """The outbox of the embedded default, or None anywhere else (production)."""
    endpoint = settings.ses_endpoint_url or pool.endpoint_url
    if settings.mode != "embedded" or not endpoint:
        return None
    return LocalOutbox(endpoint)
