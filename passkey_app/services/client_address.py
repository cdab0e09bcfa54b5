"""Who is calling, as far as the server can tell: the client's address behind trusted
reverse proxies, the address block a limit counts against, and the browser tab's key.

X-Forwarded-For is written by whoever sends the request, so it is believed only as far
as it was written by a proxy the settings trust: walking from the right (the entry the
nearest proxy added), trusted proxies are skipped and the first other address is the
client. Without a trusted proxy, or when the header is garbage, the socket peer is it.
"""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Sequence

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

MAX_FORWARDED_HOPS = 32
"""Only this many right-most entries are read: no proxy chain is longer."""
IPV6_BLOCK_PREFIX = 64
"""One IPv6 subscriber usually holds a whole /64: limits count against the block."""


def parse_address(value: str) -> IPAddress | None:
    """A bare IPv4 or IPv6 address (IPv4-mapped IPv6 read as IPv4), or None."""
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: IPAddress, proxies: Sequence[IPNetwork]) -> bool:
    return any(address.version == net.version and address in net for net in proxies)


def client_ip(*, peer: str, forwarded_for: str, trusted_proxies: Sequence[IPNetwork]) -> str:
    """The client's address: the socket ``peer`` unless it is a trusted proxy, in which case
    the right-most address of ``forwarded_for`` that is not a trusted proxy. Any entry that
    is not an address makes the whole header untrustworthy, and the peer is used."""
    peer_address = parse_address(peer)
    if peer_address is None:
        return peer
    if not forwarded_for or not _trusted(peer_address, trusted_proxies):
        return str(peer_address)
    hops = forwarded_for.rsplit(",", MAX_FORWARDED_HOPS)[-MAX_FORWARDED_HOPS:]
    client = peer_address
    for hop in reversed(hops):
        address = parse_address(hop)
        if address is None:
            return str(peer_address)
        client = address
        if not _trusted(address, trusted_proxies):
            break
    return str(client)


def limit_subject(ip_address: str) -> str:
    """What a per-address limit counts against: the address, or its /64 for IPv6 (a
    subscriber can pick any of 2^64 addresses in their block)."""
    address = parse_address(ip_address)
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((address, IPV6_BLOCK_PREFIX), strict=False))
    return str(address) if address is not None else ip_address


def tab_key(client_token: str) -> str:
    """A browser tab's key for the database: the SHA-256 of its Reflex client token (the
    token itself names the tab's state, so it is never stored)."""
    if not client_token:
        return ""
    return hashlib.sha256(f"tab:{client_token}".encode()).hexdigest()
