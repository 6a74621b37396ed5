"""Refuse feed URLs that point into private networks (SSRF guard), checked on every redirect hop."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

from feeds.errors import DnsFailure, InvalidURL, PrivateAddressRefused

__all__ = ["check_url_allowed", "is_public_address", "literal_address", "resolve_host", "url_host"]

_SCHEMES = frozenset({"http", "https"})
# is_private misses CGNAT (100.64/10) on some versions; name it explicitly.
_CGNAT = ipaddress.ip_network("100.64.0.0/10")


def url_host(url: str) -> str:
    """The host of an http(s) URL, or InvalidURL."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        raise InvalidURL(f"malformed URL {url!r}: {exc}") from exc
    if parts.scheme.lower() not in _SCHEMES:
        scheme = parts.scheme or "no scheme"
        raise InvalidURL(f"only http and https feeds are fetched, not {scheme!r}: {url!r}")
    if not host:
        raise InvalidURL(f"URL has no host: {url!r}")
    return host


def is_public_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """True only for a globally routable unicast address."""
    if isinstance(address, ipaddress.IPv6Address):
        # IPv4-mapped (::ffff:a.b.c.d), 6to4 and Teredo carry an IPv4 address that is judged too.
        embedded = address.ipv4_mapped or address.sixtofour or (address.teredo[1] if address.teredo else None)
        if embedded is not None:
            return is_public_address(embedded)
    elif address in _CGNAT:
        return False
    return address.is_global and not (
        address.is_multicast or address.is_reserved or address.is_loopback or address.is_link_local
    )


def literal_address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address a host names literally (``127.0.0.1``, ``[::1]``), or None for a name."""
    try:
        return ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return None


async def check_url_allowed(url: str, *, allow_private: bool) -> None:
    """Raise unless ``url`` is http(s) with a host that resolves only to public addresses.

    Every resolved address must be public: a name with one private record could be answered
    with it at connect time. With ``allow_private`` only the URL shape is checked (tests, intranets).
    """
    host = url_host(url)
    if allow_private:
        return
    literal = literal_address(host)
    if literal is not None:
        addresses = [literal]
    else:
        addresses = await resolve_host(host)
    for address in addresses:
        if not is_public_address(address):
            raise PrivateAddressRefused(f"{host} resolves to non-public address {address}: {url}")


async def resolve_host(host: str) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    """Every address ``host`` resolves to, or DnsFailure."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise DnsFailure(f"cannot resolve {host}: {exc}") from exc
    addresses = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        address = literal_address(str(sockaddr[0]))
        if address is not None:
            addresses.append(address)
    if not addresses:
        raise DnsFailure(f"{host} resolved to no usable address")
    return addresses
