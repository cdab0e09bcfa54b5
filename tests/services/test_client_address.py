"""The client's address behind reverse proxies: X-Forwarded-For is believed only as far as
trusted proxies wrote it, and spoofed or broken headers fall back to the socket peer."""

from __future__ import annotations

import ipaddress

import pytest

from passkey_app.services.client_address import client_ip, limit_subject, tab_key

PROXY = ipaddress.ip_network("10.0.0.0/8")
EDGE = ipaddress.ip_network("192.0.2.10/32")


def test_forwarded_for_is_ignored_when_no_proxy_is_trusted() -> None:
    assert (
        client_ip(peer="198.51.100.4", forwarded_for="203.0.113.66", trusted_proxies=())
        == "198.51.100.4"
    )


def test_forwarded_for_is_ignored_when_the_peer_is_not_a_trusted_proxy() -> None:
    assert (
        client_ip(peer="198.51.100.4", forwarded_for="203.0.113.66", trusted_proxies=(PROXY,))
        == "198.51.100.4"
    )


def test_behind_a_trusted_proxy_the_right_most_untrusted_address_is_the_client() -> None:
    # The client sent "1.1.1.1" itself; the edge proxy appended the real peer it saw.
    header = "1.1.1.1, 203.0.113.66, 192.0.2.10"
    assert (
        client_ip(peer="10.1.2.3", forwarded_for=header, trusted_proxies=(PROXY, EDGE))
        == "203.0.113.66"
    )


def test_a_spoofed_entry_left_of_the_real_client_changes_nothing() -> None:
    for spoofed in ("10.9.9.9", "127.0.0.1", "192.0.2.10, 10.0.0.1"):
        header = f"{spoofed}, 203.0.113.66"
        assert (
            client_ip(peer="10.1.2.3", forwarded_for=header, trusted_proxies=(PROXY, EDGE))
            == "203.0.113.66"
        )


@pytest.mark.parametrize(
    "header",
    ["not-an-ip", "203.0.113.66, bogus", "203.0.113.66,,", "203.0.113.66:443", "<script>"],
)
def test_garbage_in_forwarded_for_falls_back_to_the_peer(header: str) -> None:
    assert client_ip(peer="10.1.2.3", forwarded_for=header, trusted_proxies=(PROXY,)) == (
        "10.1.2.3"
    )


def test_a_request_from_inside_the_trusted_network_is_the_left_most_address() -> None:
    assert (
        client_ip(peer="10.1.2.3", forwarded_for="10.4.4.4, 10.0.0.9", trusted_proxies=(PROXY,))
        == "10.4.4.4"
    )


def test_addresses_are_canonical_so_one_client_is_one_key() -> None:
    assert client_ip(peer="::ffff:198.51.100.4", forwarded_for="", trusted_proxies=()) == (
        "198.51.100.4"
    )
    assert client_ip(peer="2001:DB8:0:0::1", forwarded_for="", trusted_proxies=()) == (
        "2001:db8::1"
    )
    assert client_ip(peer="testclient", forwarded_for="1.2.3.4", trusted_proxies=(PROXY,)) == (
        "testclient"
    )


def test_an_ipv6_client_counts_against_its_whole_64_block() -> None:
    assert limit_subject("2001:db8:1:2::1") == limit_subject("2001:db8:1:2:ffff::9")
    assert limit_subject("2001:db8:1:2::1") == "2001:db8:1:2::/64"
    assert limit_subject("2001:db8:1:3::1") != limit_subject("2001:db8:1:2::1")
    assert limit_subject("198.51.100.4") == "198.51.100.4"


def test_a_tab_is_kept_as_a_hash_of_its_token() -> None:
    key = tab_key("3f2a-client-token")
    assert len(key) == 64 and "3f2a" not in key
    assert key == tab_key("3f2a-client-token") != tab_key("another-tab")
    assert tab_key("") == ""
