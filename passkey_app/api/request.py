"""Who is calling a backend HTTP route: the one helper every route uses."""

from __future__ import annotations

from starlette.requests import Request

from passkey_app.models import USER_AGENT_LENGTH
from passkey_app.services.audit import ClientInfo
from passkey_app.services.client_address import client_ip
from passkey_app.settings import Settings


def client_of(request: Request, settings: Settings) -> ClientInfo:
    """The caller's address (the socket peer, or X-Forwarded-For as far as trusted
    proxies wrote it), user agent and path. Plain HTTP has no browser tab."""
    peer = request.client.host if request.client else ""
    forwarded = ", ".join(request.headers.getlist("x-forwarded-for"))
    return ClientInfo(
        ip_address=client_ip(
            peer=peer, forwarded_for=forwarded, trusted_proxies=settings.trusted_proxy_networks
        ),
        user_agent=request.headers.get("user-agent", "")[:USER_AGENT_LENGTH],
        path=request.url.path,
    )
