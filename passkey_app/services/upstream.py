"""Calls to the team's own APIs on the signed-in person's behalf (backend for frontend).

The upstreams are named in settings (``PASSKEY_API_UPSTREAMS``, JSON ``{"orders":
"https://api.example.com/v1"}``, checked by ``settings.parse_upstreams``). A call carries
``Authorization: Bearer <access token>`` with the person's fresh Cognito access token
and nothing of the browser's credentials: no cookie, no hop-by-hop header. Methods, body
size and time are capped, redirects are not followed, and a 401 from the upstream gets
one token refresh and one retry. The HTTP route (``/api/upstream/{name}/{path}``) and
server-side page code both go through :class:`UpstreamClient`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from urllib.parse import unquote

import httpx

log = logging.getLogger(__name__)

ALLOWED_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})
MAX_REQUEST_BODY_BYTES = 1024 * 1024
MAX_RESPONSE_BODY_BYTES = 10 * 1024 * 1024
UPSTREAM_TIMEOUT_SECONDS = 10.0
MAX_UPSTREAM_PATH_LENGTH = 2048
# RFC 9110 7.6.1: headers that belong to one hop and never travel on.
_HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "trailers",
        "transfer-encoding",
        "upgrade",
    }
)
# Plus what must never cross: the browser's cookie and credentials, and values the
# client recomputes for the new hop.
_DROPPED_REQUEST_HEADERS = _HOP_BY_HOP | {
    "cookie",
    "authorization",
    "host",
    "content-length",
    "origin",
    "referer",
}
_DROPPED_RESPONSE_HEADERS = _HOP_BY_HOP | {"set-cookie", "content-length", "content-encoding"}

TokenSource = Callable[[bool], Awaitable[str | None]]
"""Gives the person's access token; ``True`` asks for a refreshed one."""


class UpstreamFailure(StrEnum):
    """Why a call did not reach the upstream or came back unusable."""

    UNKNOWN_UPSTREAM = "unknown_upstream"
    SIGNED_OUT = "signed_out"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    BAD_PATH = "bad_path"
    TOO_LARGE = "too_large"
    TIMEOUT = "timeout"
    UNREACHABLE = "unreachable"
    RESPONSE_TOO_LARGE = "response_too_large"


FAILURE_STATUS: Mapping[UpstreamFailure, int] = {
    UpstreamFailure.UNKNOWN_UPSTREAM: 404,
    UpstreamFailure.SIGNED_OUT: 401,
    UpstreamFailure.METHOD_NOT_ALLOWED: 405,
    UpstreamFailure.BAD_PATH: 400,
    UpstreamFailure.TOO_LARGE: 413,
    UpstreamFailure.TIMEOUT: 504,
    UpstreamFailure.UNREACHABLE: 502,
    UpstreamFailure.RESPONSE_TOO_LARGE: 502,
}


class UpstreamError(Exception):
    """A call refused before or after the upstream; ``status`` is the HTTP answer."""

    def __init__(self, failure: UpstreamFailure) -> None:
        super().__init__(failure.value)
        self.failure = failure

    @property
    def status(self) -> int:
        """The status code the proxy route answers with."""
        return FAILURE_STATUS[self.failure]


@dataclass(frozen=True)
class UpstreamResponse:
    """What came back, with the headers safe to hand to the browser."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def json(self) -> object:
        """The body as JSON (for server-side page code)."""
        return httpx.Response(self.status, content=self.body).json()


def upstream_url(base: str, path: str) -> str:
    """``base`` + ``/path``, refusing anything that could leave ``base``: dot segments
    (plain or percent-encoded), backslashes, control characters, over-long paths."""
    if len(path) > MAX_UPSTREAM_PATH_LENGTH:
        raise UpstreamError(UpstreamFailure.BAD_PATH)
    decoded = unquote(unquote(path))
    if "\\" in decoded or any(ord(c) < 0x20 or ord(c) == 0x7F for c in decoded):
        raise UpstreamError(UpstreamFailure.BAD_PATH)
    if any(segment in (".", "..") for segment in decoded.split("/")):
        raise UpstreamError(UpstreamFailure.BAD_PATH)
    return f"{base}/{path.lstrip('/')}"


def forwarded_headers(headers: Mapping[str, str] | list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The request headers that may travel on: no hop-by-hop header (nor one the
    ``Connection`` header names), no cookie, no credentials of the browser's own."""
    items = list(headers.items()) if isinstance(headers, Mapping) else list(headers)
    named = {
        token.strip().lower()
        for key, value in items
        if key.lower() == "connection"
        for token in value.split(",")
    }
    return [
        (key, value)
        for key, value in items
        if key.lower() not in _DROPPED_REQUEST_HEADERS and key.lower() not in named
    ]


@dataclass
class UpstreamClient:
    """One pooled httpx client for every upstream call of the process."""

    upstreams: dict[str, str]
    timeout: float = UPSTREAM_TIMEOUT_SECONDS
    transport: httpx.AsyncBaseTransport | None = None
    _client: httpx.AsyncClient | None = field(default=None, init=False, repr=False)

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(
                follow_redirects=False,
                timeout=httpx.Timeout(self.timeout),
                transport=self.transport,
                trust_env=False,
            )
        return self._client

    def knows(self, name: str) -> bool:
        """Whether ``name`` is a configured upstream."""
        return name in self.upstreams

    async def call(
        self,
        *,
        name: str,
        method: str,
        path: str,
        token: TokenSource,
        query: str = "",
        headers: Mapping[str, str] | list[tuple[str, str]] | None = None,
        body: bytes = b"",
    ) -> UpstreamResponse:
        """Forward one request with the person's access token; on a 401, refresh the
        token once and try once more."""
        base = self.upstreams.get(name)
        if base is None:
            raise UpstreamError(UpstreamFailure.UNKNOWN_UPSTREAM)
        method = method.upper()
        if method not in ALLOWED_METHODS:
            raise UpstreamError(UpstreamFailure.METHOD_NOT_ALLOWED)
        if len(body) > MAX_REQUEST_BODY_BYTES:
            raise UpstreamError(UpstreamFailure.TOO_LARGE)
        url = upstream_url(base, path) + (f"?{query}" if query else "")
        kept = forwarded_headers(headers or [])
        response = await self._send(method, url, kept, body, await token(False))
        if response.status == 401:
            log.info("upstream %s answered 401: refreshing the token once", name)
            response = await self._send(method, url, kept, body, await token(True))
        return response

    async def _send(
        self,
        method: str,
        url: str,
        headers: list[tuple[str, str]],
        body: bytes,
        access_token: str | None,
    ) -> UpstreamResponse:
        if not access_token:
            raise UpstreamError(UpstreamFailure.SIGNED_OUT)
        request = self._http().build_request(
            method,
            url,
            headers=[*headers, ("Authorization", f"Bearer {access_token}")],
            content=body or None,
        )
        try:
            # One deadline for the whole exchange (httpx's own timeouts are per phase).
            async with asyncio.timeout(self.timeout):
                response, content = await self._exchange(request)
        except (TimeoutError, httpx.TimeoutException):
            raise UpstreamError(UpstreamFailure.TIMEOUT) from None
        except httpx.HTTPError as error:
            log.warning("upstream unreachable: %s", type(error).__name__)
            raise UpstreamError(UpstreamFailure.UNREACHABLE) from None
        return UpstreamResponse(
            status=response.status_code,
            headers=tuple(
                (key, value)
                for key, value in response.headers.multi_items()
                if key.lower() not in _DROPPED_RESPONSE_HEADERS
            ),
            body=content,
        )

    async def _exchange(self, request: httpx.Request) -> tuple[httpx.Response, bytes]:
        response = await self._http().send(request, stream=True)
        try:
            content = bytearray()
            async for chunk in response.aiter_bytes():
                content.extend(chunk)
                if len(content) > MAX_RESPONSE_BODY_BYTES:
                    raise UpstreamError(UpstreamFailure.RESPONSE_TOO_LARGE)
        finally:
            await response.aclose()
        return response, bytes(content)

    async def close(self) -> None:
        """Close the pooled connections."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None
