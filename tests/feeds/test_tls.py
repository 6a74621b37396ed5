"""HTTPS feeds (#14): a certificate from a CA we trust through feeds.ca_bundle fetches; a self-signed
(unknown CA) or expired certificate is the typed ``tls`` feed error. A real TLS server on 127.0.0.1 with
certificates from trustme's throwaway CA."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import trustme
from aiohttp import web

from feeds.errors import TLSFailure
from feeds.fetch import build_client, fetch_feed
from feeds.models import CacheValidators, Fetched
from model.settings import FetchLimits
from testkit.feedserver import build_rss

RSS = build_rss(2, feed_id="tls")


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


async def serve(cert: trustme.LeafCert) -> AsyncIterator[str]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)

    async def feed(_request: web.Request) -> web.Response:
        return web.Response(body=RSS, content_type="application/rss+xml")

    app = web.Application()
    app.router.add_get("/feed.xml", feed)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=context)
    await site.start()
    try:
        yield f"https://127.0.0.1:{runner.addresses[0][1]}/feed.xml"
    finally:
        await runner.cleanup()


async def fetch(url: str, ca_bundle: str | None) -> Fetched:
    limits = FetchLimits(allow_private_addresses=True, ca_bundle=ca_bundle, total_timeout=10)
    async with build_client(limits, max_connections=2) as client:
        return await fetch_feed(client, url, CacheValidators(), limits)


def bundle(ca: trustme.CA, tmp_path: Path) -> str:
    path = tmp_path / "corporate-ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


async def test_a_certificate_from_the_configured_ca_bundle_fetches(ca: trustme.CA, tmp_path: Path) -> None:
    async for url in serve(ca.issue_cert("127.0.0.1")):
        fetched = await fetch(url, bundle(ca, tmp_path))
        assert isinstance(fetched, Fetched) and b"<rss" in fetched.body


async def test_an_unknown_ca_is_the_tls_error(ca: trustme.CA) -> None:
    async for url in serve(ca.issue_cert("127.0.0.1")):  # no ca_bundle: only certifi's CAs are trusted
        with pytest.raises(TLSFailure) as raised:
            await fetch(url, None)
        assert raised.value.code == "tls"


async def test_an_expired_certificate_is_the_tls_error(ca: trustme.CA, tmp_path: Path) -> None:
    past = datetime.now(UTC) - timedelta(days=30)
    expired = ca.issue_cert("127.0.0.1", not_before=past - timedelta(days=60), not_after=past)
    async for url in serve(expired):
        with pytest.raises(TLSFailure, match="expired"):
            await fetch(url, bundle(ca, tmp_path))


def test_a_missing_ca_bundle_stops_the_start_naming_the_key(tmp_path: Path) -> None:
    from bot.settings import ConfigError, settings_from_mapping
    from tests.bot.test_settings import TOPICS

    with pytest.raises(ConfigError, match=r"feeds\.ca_bundle: no such file"):
        settings_from_mapping({"topics": TOPICS, "feeds": {"ca_bundle": str(tmp_path / "none.pem")}}, {})
    pem = tmp_path / "ca.pem"
    trustme.CA().cert_pem.write_to_path(str(pem))
    loaded = settings_from_mapping({"topics": TOPICS, "feeds": {"ca_bundle": str(pem)}}, {})
    assert loaded.feeds.limits.ca_bundle == str(pem)
