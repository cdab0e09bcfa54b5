"""Who is calling an HTTP route, over real requests: X-Forwarded-For is believed only from
a trusted proxy, walked from the right; garbage in it falls back to the socket peer."""

from __future__ import annotations

import dataclasses

import pytest
from starlette.testclient import TestClient

from passkey_app import routes
from passkey_app.api.session import build_session_routes
from passkey_app.services.container import Services
from passkey_app.services.magic_links.store import LinkPurpose
from tests.services.magic_links.support import MovableClock, build_links, verify_sender

ORIGIN = "http://localhost:3000"
PROXY = ("10.0.0.5", 41000)


def _requested_from(services: Services, *, peer: tuple[str, int], **headers: str) -> str:
    """Ask for an email link through the route; the address the audit trail recorded."""
    verify_sender()
    linked = dataclasses.replace(services, magic_links=build_links(services, MovableClock()))
    http = TestClient(
        build_session_routes(lambda: linked), base_url="http://localhost:8000", client=peer
    )
    response = http.post(
        routes.API_MAGIC_LINK_REQUEST,
        data={"email": "alice@example.com", "purpose": LinkPurpose.LOGIN.value},
        headers={"Origin": ORIGIN, "User-Agent": "route-test", **headers},
        follow_redirects=False,
    )
    assert response.status_code == 303
    with services.engine.connect() as connection:
        return str(
            connection.exec_driver_sql(
                "SELECT ip_address FROM audit_event WHERE event_type = 'magic_link.request'"
            ).scalar_one()
        )


def _trusting(services: Services, *proxies: str) -> Services:
    settings = services.settings.model_copy(update={"trusted_proxies": list(proxies)})
    return dataclasses.replace(services, settings=settings)


def test_forwarded_for_is_ignored_when_no_proxy_is_trusted(services: Services) -> None:
    assert _requested_from(services, peer=PROXY, **{"X-Forwarded-For": "1.2.3.4"}) == "10.0.0.5"


def test_behind_a_trusted_proxy_the_right_most_untrusted_address_is_used(
    services: Services,
) -> None:
    trusting = _trusting(services, "10.0.0.0/24")
    header = "6.6.6.6, 203.0.113.9, 10.0.0.7"
    assert _requested_from(trusting, peer=PROXY, **{"X-Forwarded-For": header}) == "203.0.113.9"


def test_a_client_reaching_the_app_around_the_proxy_cannot_claim_an_address(
    services: Services,
) -> None:
    trusting = _trusting(services, "10.0.0.0/24")
    direct = ("198.51.100.50", 5000)
    spoofed = {"X-Forwarded-For": "203.0.113.9"}
    assert _requested_from(trusting, peer=direct, **spoofed) == "198.51.100.50"


@pytest.mark.parametrize("header", ["unknown", "203.0.113.9, <script>", "203.0.113.9:1234"])
def test_garbage_in_forwarded_for_falls_back_to_the_peer(services: Services, header: str) -> None:
    trusting = _trusting(services, "10.0.0.0/24")
    assert _requested_from(trusting, peer=PROXY, **{"X-Forwarded-For": header}) == "10.0.0.5"
