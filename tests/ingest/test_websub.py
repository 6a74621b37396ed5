"""WebSub push end to end on loopback: a feed names a hub, Coopwatch subscribes, the hub verifies and pushes;
forged, unknown and broken pushes change nothing."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from collections.abc import AsyncIterator
from datetime import timedelta
from email.utils import format_datetime

import aiohttp
import httpx
import pytest
from sqlalchemy import select

from feeds.errors import PrivateAddressRefused
from feeds.websub import SignatureInvalid, check_signature, request_subscription
from ingest.poller import Poller
from ingest.websub import WebSubReceiver, start_receiver, subscribe_due
from model.settings import FetchLimits, WebSubSettings
from storage import feeds as feed_store
from storage.models import Item, utcnow
from testkit.hub import LoopbackHub
from testkit.ports import free_port
from tests.ingest.conftest import add_feeds


def hub_rss(hub: str, self_url: str, guids: list[str]) -> bytes:
    items = "".join(
        f"<item><guid>{g}</guid><link>https://news.example.kg/{g}</link>"
        f"<title>Kyrgyz rescuers report on mudflow response {g}</title>"
        f"<description>{'Emergency crews cleared roads and evacuated families in the Osh region. ' * 4}</description>"
        f"<pubDate>{format_datetime(utcnow() - timedelta(minutes=5))}</pubDate></item>"
        for g in guids
    )
    return (
        '<?xml version="1.0"?><rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel>'
        f'<title>Pushed wire</title><atom:link rel="hub" href="{hub}"/><atom:link rel="self" href="{self_url}"/>'
        f"{items}</channel></rss>"
    ).encode()


@pytest.fixture
async def hub() -> AsyncIterator[LoopbackHub]:
    running = await LoopbackHub().start()
    try:
        yield running
    finally:
        await running.stop()


@pytest.fixture
async def receiver(database, poller) -> AsyncIterator[tuple[WebSubReceiver, WebSubSettings]]:
    port = free_port()
    settings = WebSubSettings(callback_url=f"http://127.0.0.1:{port}/websub", port=port)
    stored = asyncio.Event()
    receiving = WebSubReceiver(database, poller, settings, max_body_bytes=1024 * 1024, on_stored=stored.set)
    runner = await start_receiver(receiving)
    try:
        yield receiving, settings
    finally:
        await runner.cleanup()


async def _items(database) -> list[Item]:
    async with database.read_session() as session:
        return list((await session.scalars(select(Item))).all())


async def _subscribed_feed(database, poller, feed_server, hub, receiver):
    _, settings = receiver
    tag = f"push{id(database)}"
    path = f"/push/{tag}.xml"
    url = feed_server.url(path)
    feed_server.set_feed(path, hub_rss(hub.url, url, [f"{tag}-1"]))
    [feed_id] = await add_feeds(database, url)
    await poller.poll_due(all_feeds=True)
    assert await subscribe_due(database, poller.client, settings, poller.settings.limits) == 1
    await asyncio.wait_for(hub.verified.wait(), 10)
    return feed_id, url, tag


async def test_a_feed_that_names_a_hub_is_subscribed_and_its_pushes_stored(
    database, poller, feed_server, hub, receiver
) -> None:
    feed_id, url, tag = await _subscribed_feed(database, poller, feed_server, hub, receiver)
    sub = hub.subscriptions[url]
    assert sub.verified and sub.callback.endswith(f"/websub/{feed_id}") and len(sub.secret) >= 32
    async with database.read_session() as session:
        feed = await feed_store.get_feed(session, feed_id)
    assert feed.websub_state == "active" and feed.websub_lease_until > utcnow() + timedelta(days=6)

    status = await hub.push(url, hub_rss(hub.url, url, [f"{tag}-1", f"{tag}-2"]))
    assert status == 204
    assert sorted(i.guid for i in await _items(database)) == [f"{tag}-1", f"{tag}-2"]

    # Still polled, as a safety net, but only every websub.poll_interval.
    pushed_poller = Poller(
        database, poller.client, poller.settings, worker="test", push_poll_interval=timedelta(hours=6)
    )
    await pushed_poller.poll_due(all_feeds=True)
    async with database.read_session() as session:
        feed = await feed_store.get_feed(session, feed_id)
    assert feed.next_poll_at > utcnow() + timedelta(hours=5)


async def test_forged_unknown_and_broken_pushes_change_nothing(database, poller, feed_server, hub, receiver) -> None:
    _, url, tag = await _subscribed_feed(database, poller, feed_server, hub, receiver)
    before = len(await _items(database))
    body = hub_rss(hub.url, url, [f"{tag}-forged"])
    assert await hub.push(url, body, secret="not-the-secret") == 403
    assert await hub.push(url, body, method="sha1", secret="x" * 64) == 403
    sub = hub.subscriptions[url]
    unknown = sub.callback.rsplit("/", 1)[0] + "/999999"
    assert await hub.push(url, body, callback=unknown) == 410
    assert await hub.push(url, b"<html>not a feed</html>") == 400
    async with aiohttp.ClientSession() as session, session.post(sub.callback, data=body) as reply:
        assert reply.status == 403  # no signature at all
    assert len(await _items(database)) == before


async def test_verification_of_a_subscription_never_asked_for_is_refused(
    database, poller, feed_server, hub, receiver
) -> None:
    feed_id, url, _ = await _subscribed_feed(database, poller, feed_server, hub, receiver)
    callback = hub.subscriptions[url].callback
    query = {"hub.mode": "subscribe", "hub.topic": "https://elsewhere.example/feed", "hub.challenge": "abc"}
    async with aiohttp.ClientSession() as session, session.get(callback, params=query) as reply:
        assert reply.status == 404


async def test_a_lease_about_to_run_out_is_renewed(database, poller, feed_server, hub, receiver) -> None:
    feed_id, url, _ = await _subscribed_feed(database, poller, feed_server, hub, receiver)
    _, settings = receiver
    assert await subscribe_due(database, poller.client, settings, poller.settings.limits) == 0
    async with database.session() as session:
        feed = await feed_store.get_feed(session, feed_id)
        secret = feed.websub_secret
        feed.websub_lease_until = utcnow() + timedelta(minutes=30)
    hub.verified.clear()
    assert await subscribe_due(database, poller.client, settings, poller.settings.limits) == 1
    await asyncio.wait_for(hub.verified.wait(), 10)
    assert hub.requests == 2 and hub.subscriptions[url].secret == secret
    async with database.read_session() as session:
        feed = await feed_store.get_feed(session, feed_id)
    assert feed.websub_lease_until > utcnow() + timedelta(days=6)


def test_the_signature_check() -> None:
    body = b"<rss/>"
    good = "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    check_signature("s3cret", good, body)
    check_signature("s3cret", good.upper().replace("SHA256", "sha256"), body)
    for header in (None, "", "sha256", "md5=abc", good[:-1] + "0", "sha1=" + good.split("=")[1]):
        with pytest.raises(SignatureInvalid):
            check_signature("s3cret", header, body)


async def test_a_hub_on_a_private_address_is_refused_when_not_allowed(hub) -> None:
    limits = FetchLimits(allow_private_addresses=False)
    async with httpx.AsyncClient() as client:
        with pytest.raises(PrivateAddressRefused):
            await request_subscription(
                client, hub.url, topic="t", callback="https://x/cb", secret="s", lease=timedelta(days=1), limits=limits
            )
    assert hub.requests == 0
