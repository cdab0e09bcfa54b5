"""Strict unpadded base64url, the encoding of every binary value in WebAuthn JSON."""

from __future__ import annotations

import base64
import re

_ALPHABET = re.compile(r"[A-Za-z0-9_-]*")


def b64url_encode(raw: bytes) -> str:
    """Unpadded base64url, as browsers write it in ``toJSON()``."""
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def b64url_decode(value: str) -> bytes:
    """Decode canonical unpadded base64url only; padding, ``+/`` or stray bits raise ValueError.

    py_webauthn tolerates padding and ignores junk; accepting exactly one spelling per
    value keeps stored ids comparable as strings.
    """
    if not isinstance(value, str) or not _ALPHABET.fullmatch(value) or len(value) % 4 == 1:
        raise ValueError("not unpadded base64url")
    raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    if b64url_encode(raw) != value:
        raise ValueError("not canonical base64url")
    return raw
