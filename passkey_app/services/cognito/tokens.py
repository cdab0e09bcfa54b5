"""Verify Cognito's ID and access tokens against the pool's JWKS (RS256 only)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jwt
import requests

from passkey_app.settings import PoolSettings

JWKS_REFETCH_INTERVAL_SECONDS = 60


class TokenInvalidError(Exception):
    """The token failed a check; the message says which, never the token."""


@dataclass(frozen=True)
class Identity:
    """Who an ID token speaks for."""

    sub: str
    username: str
    email: str
    groups: tuple[str, ...]
    auth_time: int
    expires_at: int


@dataclass(frozen=True)
class AccessClaims:
    """The checked claims of an access token."""

    sub: str
    username: str
    expires_at: int


def fetch_jwks_over_http(url: str) -> dict[str, Any]:
    """GET the JWKS document with a short timeout."""
    response = requests.get(url, timeout=5)
    response.raise_for_status()
    document: dict[str, Any] = response.json()
    return document


class TokenVerifier:
    """Checks signature (RS256 only), iss, token_use, audience / client id and exp."""

    def __init__(
        self,
        *,
        pool: PoolSettings,
        fetch_jwks: Callable[[str], dict[str, Any]] = fetch_jwks_over_http,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._pool = pool
        self._fetch_jwks = fetch_jwks
        self._clock = clock
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at = 0.0
        self._lock = threading.Lock()

    def _refresh_keys(self) -> None:
        document = self._fetch_jwks(self._pool.jwks_url)
        keys = {}
        for entry in document.get("keys", []):
            if entry.get("kty") == "RSA" and entry.get("kid"):
                keys[entry["kid"]] = jwt.PyJWK.from_dict(entry, algorithm="RS256")
        self._keys = keys
        self._fetched_at = self._clock()

    def _key_for(self, token: str) -> jwt.PyJWK:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as error:
            raise TokenInvalidError("malformed token") from error
        if header.get("alg") != "RS256":
            raise TokenInvalidError("algorithm not allowed")
        kid = header.get("kid")
        with self._lock:
            if kid not in self._keys and (
                not self._fetched_at
                or self._clock() - self._fetched_at > JWKS_REFETCH_INTERVAL_SECONDS
            ):
                self._refresh_keys()
            key = self._keys.get(kid) if isinstance(kid, str) else None
        if key is None:
            raise TokenInvalidError("unknown signing key")
        return key

    def _decode(self, token: str, *, audience: str | None) -> dict[str, Any]:
        key = self._key_for(token)
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key,
                algorithms=["RS256"],
                audience=audience,
                issuer=self._pool.issuer,
                options={
                    "require": ["exp", "iat", "iss", "sub", "token_use"],
                    "verify_aud": audience is not None,
                    "verify_iat": False,
                },
            )
        except jwt.ExpiredSignatureError as error:
            raise TokenInvalidError("expired") from error
        except jwt.PyJWTError as error:
            raise TokenInvalidError(type(error).__name__) from error
        return claims

    def verify_id_token(self, token: str) -> Identity:
        """An ID token issued by this pool for this client."""
        claims = self._decode(token, audience=self._pool.client_id)
        if claims.get("token_use") != "id":
            raise TokenInvalidError("not an id token")
        return Identity(
            sub=str(claims["sub"]),
            username=str(claims.get("cognito:username", claims["sub"])),
            email=str(claims.get("email", "")),
            groups=tuple(str(group) for group in claims.get("cognito:groups", [])),
            auth_time=int(claims.get("auth_time", claims["iat"])),
            expires_at=int(claims["exp"]),
        )

    def verify_access_token(self, token: str) -> AccessClaims:
        """An access token issued by this pool for this client."""
        claims = self._decode(token, audience=None)
        if claims.get("token_use") != "access":
            raise TokenInvalidError("not an access token")
        if claims.get("client_id") != self._pool.client_id:
            raise TokenInvalidError("issued for another client")
        return AccessClaims(
            sub=str(claims["sub"]),
            username=str(claims.get("username", claims["sub"])),
            expires_at=int(claims["exp"]),
        )
