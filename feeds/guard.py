"""Connect only to addresses that were checked: closes the DNS-rebinding gap of the URL check.

``check_url_allowed`` resolves a feed's host before the request, and the HTTP stack would resolve it again
when it connects; a hostile DNS server can answer the first time with a public address and the second with
127.0.0.1. This network backend resolves once, refuses the connection unless every address is public, and
connects to the checked address itself. TLS still verifies the host name: httpcore starts TLS on the
stream with the URL's host, not with the address.
"""

from __future__ import annotations

import ipaddress
import ssl
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import httpcore
import httpx

from feeds.errors import PrivateAddressRefused
from feeds.safety import is_public_address, literal_address, resolve_host

__all__ = ["PublicOnlyBackend", "public_only_transport"]

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str], Awaitable[list[Address]]]


class PublicOnlyBackend(httpcore.AsyncNetworkBackend):
    """httpcore network backend that connects to public addresses only, resolved and checked here."""

    def __init__(self, inner: httpcore.AsyncNetworkBackend | None = None, *, resolve: Resolver = resolve_host) -> None:
        self._inner = inner or httpcore.AnyIOBackend()
        self._resolve = resolve

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        literal = literal_address(host)
        addresses = [literal] if literal is not None else await self._resolve(host)
        for address in addresses:
            if not is_public_address(address):
                raise PrivateAddressRefused(f"{host} resolves to non-public address {address} at connect time")
        failure: Exception | None = None
        for address in addresses:  # in resolver order, as a plain connect would try them
            try:
                return await self._inner.connect_tcp(
                    str(address), port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None
        raise failure

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("feeds are fetched over TCP only")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def public_only_transport(
    limits: httpx.Limits, *, backend: PublicOnlyBackend | None = None, ssl_context: ssl.SSLContext | None = None
) -> httpx.AsyncHTTPTransport:
    """An httpx transport whose connections go through ``PublicOnlyBackend``.

    httpx 0.28 takes no network backend, so the transport's connection pool is rebuilt with the same
    settings plus the backend (the pin in pyproject.toml keeps this attribute stable).
    """
    transport = httpx.AsyncHTTPTransport(limits=limits)
    transport._pool = httpcore.AsyncConnectionPool(  # noqa: SLF001
        ssl_context=ssl_context or httpx.create_ssl_context(),
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        network_backend=backend or PublicOnlyBackend(),
    )
    return transport
