"""Encrypt Cognito tokens at rest (Fernet, with key rotation: newest key first)."""

from __future__ import annotations

import json

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from passkey_app.services.cognito.gateway import CognitoTokens


class TokenCipher:
    """Seals a token set into one opaque string and opens it again."""

    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise ValueError("at least one session key is required")
        self._fernet = MultiFernet([Fernet(key.strip().encode()) for key in keys])

    @classmethod
    def from_setting(cls, value: str) -> TokenCipher:
        """Keys as configured: comma-separated, newest first."""
        return cls([key for key in value.split(",") if key.strip()])

    def seal(self, tokens: CognitoTokens) -> str:
        """Encrypt and authenticate the token set."""
        payload = json.dumps(
            {
                "id": tokens.id_token,
                "access": tokens.access_token,
                "refresh": tokens.refresh_token,
                "expires_in": tokens.expires_in,
            }
        )
        return self._fernet.encrypt(payload.encode()).decode()

    def open(self, sealed: str) -> CognitoTokens | None:
        """The token set, or None when the ciphertext is not ours or was altered."""
        try:
            payload = json.loads(self._fernet.decrypt(sealed.encode()))
        except (InvalidToken, ValueError):
            return None
        return CognitoTokens(
            id_token=payload["id"],
            access_token=payload["access"],
            refresh_token=payload["refresh"],
            expires_in=int(payload["expires_in"]),
        )
