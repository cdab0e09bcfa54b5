"""Who sent a websocket event, from the router data Reflex builds at the handshake: the
peer, X-Forwarded-For only from a trusted proxy, and the tab only as a hash."""

from __future__ import annotations

from pathlib import Path

import pytest
from reflex.istate.data import RouterData

from passkey_app.auth import client_from_router
from passkey_app.services.client_address import tab_key
from passkey_app.settings import Settings

TOKEN = "6d1c8c5e-tab-token"


def _router(peer: str, **headers: str) -> RouterData:
    return RouterData.from_router_data(
        {
            "pathname": "/login",
            "asPath": "/login?next=%2Faccount",
            "query": {},
            "token": TOKEN,
            "sid": "socket-1",
            "ip": peer,
            "headers": {"user-agent": "Chromium", **headers},
        }
    )


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path)


def test_an_event_names_its_peer_tab_and_page(settings: Settings) -> None:
    client = client_from_router(_router("198.51.100.3"), settings)
    assert (client.ip_address, client.user_agent, client.path) == (
        "198.51.100.3",
        "Chromium",
        "/login",
    )
    assert client.tab_key == tab_key(TOKEN) and TOKEN not in client.tab_key


def test_the_handshake_forwarded_for_is_ignored_unless_the_peer_is_trusted(
    settings: Settings,
) -> None:
    spoofed = _router("198.51.100.3", **{"x-forwarded-for": "203.0.113.50"})
    assert client_from_router(spoofed, settings).ip_address == "198.51.100.3"
    behind_proxy = _router("10.0.0.2", **{"x-forwarded-for": "6.6.6.6, 203.0.113.50"})
    trusting = settings.model_copy(update={"trusted_proxies": ["10.0.0.0/8"]})
    assert client_from_router(behind_proxy, trusting).ip_address == "203.0.113.50"
    garbage = _router("10.0.0.2", **{"x-forwarded-for": "203.0.113.50, nonsense"})
    assert client_from_router(garbage, trusting).ip_address == "10.0.0.2"
