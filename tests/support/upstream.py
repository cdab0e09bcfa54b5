"""A team's own API, as the tests stand it up: a small Starlette app that accepts only a
Cognito access token of the pool (checked against the pool's JWKS: RS256, issuer,
token_use, client_id, expiry) and refuses anything else with 401."""

from __future__ import annotations

import asyncio
from typing import Any

import jwt
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

ORDERS = [
    {"id": "A-1001", "item": "Hardware security key", "quantity": 2},
    {"id": "A-1002", "item": "USB-C cable", "quantity": 1},
]


class TeamApi:
    """The API plus what the tests want to see of the calls it received."""

    def __init__(self, *, jwks: dict[str, Any], issuer: str, client_id: str) -> None:
        self._keys = {
            entry["kid"]: jwt.PyJWK.from_dict(entry, algorithm="RS256")
            for entry in jwks["keys"]
            if entry.get("kty") == "RSA"
        }
        self._issuer = issuer
        self._client_id = client_id
        self.seen_headers: list[dict[str, str]] = []
        self.tokens_seen: list[str] = []
        self.app = Starlette(
            routes=[
                Route("/v1/orders", self._orders, methods=["GET", "POST"]),
                Route("/v1/echo", self._echo, methods=["GET", "POST", "PUT", "PATCH", "DELETE"]),
                Route("/v1/moved", self._moved),
                Route("/v1/slow", self._slow),
                Route("/v1/first-token-expired", self._first_token_expired),
                Route("/elsewhere/secret", self._orders),
            ]
        )

    def subject(self, request: Request) -> str | None:
        """The verified ``sub`` of the bearer token, or None."""
        header = request.headers.get("authorization", "")
        if not header.startswith("Bearer "):
            return None
        token = header.removeprefix("Bearer ")
        self.tokens_seen.append(token)
        try:
            kid = jwt.get_unverified_header(token).get("kid")
            key = self._keys[kid]
            claims = jwt.decode(
                token,
                key=key,
                algorithms=["RS256"],
                issuer=self._issuer,
                options={"require": ["exp", "iss", "sub", "token_use"], "verify_aud": False},
            )
        except (jwt.PyJWTError, KeyError):
            return None
        if claims.get("token_use") != "access" or claims.get("client_id") != self._client_id:
            return None
        return str(claims["sub"])

    def _refused(self) -> Response:
        return JSONResponse({"error": "unauthorized"}, status_code=401)

    async def _orders(self, request: Request) -> Response:
        sub = self.subject(request)
        if sub is None:
            return self._refused()
        return JSONResponse({"owner": sub, "orders": ORDERS})

    async def _echo(self, request: Request) -> Response:
        self.seen_headers.append(dict(request.headers))
        sub = self.subject(request)
        if sub is None:
            return self._refused()
        body = await request.body()
        response = JSONResponse(
            {
                "method": request.method,
                "query": request.url.query,
                "body": body.decode(),
                "sub": sub,
            }
        )
        response.set_cookie("upstream_cookie", "must-not-reach-the-browser")
        return response

    async def _moved(self, request: Request) -> Response:
        if self.subject(request) is None:
            return self._refused()
        return RedirectResponse("https://elsewhere.example/steal", status_code=302)

    async def _slow(self, request: Request) -> Response:
        await asyncio.sleep(5)
        return JSONResponse({})

    async def _first_token_expired(self, request: Request) -> Response:
        """Answers 401 to the first token it meets, as if it had just expired."""
        sub = self.subject(request)
        if sub is None or len(set(self.tokens_seen)) == 1:
            return self._refused()
        return JSONResponse({"sub": sub, "attempts": len(self.tokens_seen)})
