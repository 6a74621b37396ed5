"""The connect-time address guard: a host re-pointed at a private address after the URL check is refused."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

import httpcore
import httpx
import pytest

import feeds.safety
from feeds.errors import ConnectFailed, PrivateAddressRefused
from feeds.fetch import build_client, fetch_feed
from feeds.guard import PublicOnlyBackend, public_only_transport
from feeds.models import CacheValidators
from model.settings import FetchLimits
from testkit.feedserver import build_rss

PUBLIC = ipaddress.ip_address("93.184.216.34")
LOOPBACK = ipaddress.ip_address("127.0.0.1")
STRICT = FetchLimits(connect_timeout=2.0, read_timeout=2.0, total_timeout=5.0, allow_private_addresses=False)


class Rebinding:
    """A DNS answer that changes: public for the first lookup, loopback after that."""

    def __init__(self) -> None:
        self.lookups = 0

    async def __call__(self, host: str) -> list:
        self.lookups += 1
        return [PUBLIC] if self.lookups == 1 else [LOOPBACK]


async def test_a_host_rebound_to_loopback_after_the_check_is_refused(feed_server, monkeypatch) -> None:
    url = feed_server.set_feed("/guard/rebind.xml", build_rss(2, feed_id="rebind"))
    port = urlsplit(url).port
    dns = Rebinding()
    monkeypatch.setattr(feeds.safety, "resolve_host", dns)  # the URL check sees the public answer
    transport = public_only_transport(httpx.Limits(max_connections=2), backend=PublicOnlyBackend(resolve=dns))
    async with build_client(STRICT, max_connections=2, transport=transport) as client:
        with pytest.raises(PrivateAddressRefused, match="127.0.0.1 at connect time"):
            await fetch_feed(client, f"http://rebind.example:{port}/guard/rebind.xml", CacheValidators(), STRICT)
    assert dns.lookups == 2
    assert feed_server.requests_for("/guard/rebind.xml") == []  # nothing reached the loopback server


async def test_a_private_literal_address_is_refused_without_the_url_check(feed_server) -> None:
    url = feed_server.set_feed("/guard/literal.xml", build_rss(1, feed_id="literal"))
    async with build_client(STRICT, max_connections=2) as client:  # the default client is guarded
        with pytest.raises(PrivateAddressRefused):
            await client.get(url)  # straight to the client: only the connect-time guard stands in the way
    assert feed_server.requests_for("/guard/literal.xml") == []


class Recording(httpcore.AsyncNetworkBackend):
    """Stands in for the internet, which this machine cannot reach: records where it was asked to connect."""

    def __init__(self) -> None:
        self.targets: list[tuple[str, int]] = []

    async def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):  # noqa: ANN001, ANN201, ASYNC109
        self.targets.append((host, port))
        raise httpcore.ConnectError(f"{host} unreachable")


async def test_a_public_host_is_connected_by_the_address_that_was_checked(monkeypatch) -> None:
    async def public(host: str) -> list:
        return [PUBLIC, ipaddress.ip_address("8.8.8.8")]

    monkeypatch.setattr(feeds.safety, "resolve_host", public)
    inner = Recording()
    transport = public_only_transport(httpx.Limits(max_connections=2), backend=PublicOnlyBackend(inner, resolve=public))
    async with build_client(STRICT, max_connections=2, transport=transport) as client:
        with pytest.raises(ConnectFailed):
            await fetch_feed(client, "http://news.example/feed.xml", CacheValidators(), STRICT)
    assert inner.targets == [("93.184.216.34", 80), ("8.8.8.8", 80)]  # each checked address in turn, no name
