"""Cognito's SECRET_HASH for app clients that have a secret."""

from __future__ import annotations

import base64
import hashlib
import hmac


def secret_hash(*, username: str, client_id: str, client_secret: str) -> str:
    """Base64 of HMAC-SHA256(client secret, username + client id), as Cognito expects."""
    digest = hmac.new(
        client_secret.encode(), (username + client_id).encode(), hashlib.sha256
    ).digest()
    return base64.b64encode(digest).decode()
