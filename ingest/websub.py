"""WebSub push: subscribing to the hubs that feeds name, and the callback that takes their pushes.

The callback answers the hub's verification GET only for a subscription we asked for, and takes a push
only for a live subscription with a valid X-Hub-Signature; the body then goes through the poll path
(Poller.ingest_push). Polling goes on at ``websub.poll_interval``, so a silent hub loses nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import httpx
from aiohttp import web

from feeds.errors import FeedError, ParseError
from feeds.websub import SignatureInvalid, check_signature, new_secret, request_subscription
from ingest.poller import Poller
from model.settings import FetchLimits, WebSubSettings
from storage import websub as websub_store
from storage.db import Database
from storage.models import utcnow

log = logging.getLogger(__name__)

MAX_LEASE = timedelta(days=30)  # whatever the hub grants, renew at least monthly


def callback_for(settings: WebSubSettings, feed_id: int) -> str:
    return f"{settings.callback_url}/{feed_id}"


def renew_before(settings: WebSubSettings) -> timedelta:
    return max(settings.lease / 10, timedelta(hours=1))


async def subscribe_due(
    database: Database, client: httpx.AsyncClient, settings: WebSubSettings, limits: FetchLimits
) -> int:
    """(Re)subscribe every feed that names a hub and is due; a refusing hub is asked again later."""
    now = utcnow()
    async with database.read_session() as session:
        due = await websub_store.list_due(session, now=now, renew_before=renew_before(settings))
    asked = 0
    for feed in due:
        secret = feed.websub_secret or new_secret()
        async with database.session() as session:  # before the request: the hub may verify at once
            await websub_store.mark_requested(session, feed.id, secret=secret, now=now)
        try:
            await request_subscription(
                client,
                feed.hub_url or "",
                topic=feed.websub_topic or feed.url,
                callback=callback_for(settings, feed.id),
                secret=secret,
                lease=settings.lease,
                limits=limits,
            )
            asked += 1
        except FeedError as exc:
            log.warning("WebSub hub %s refused feed %s (%s): %s", feed.hub_url, feed.url, exc.code, exc)
            async with database.session() as session:
                await websub_store.mark_failed(session, feed.id, now=now)
    return asked


@dataclass
class WebSubReceiver:
    """The callback endpoint: ``GET`` verifies intent, ``POST`` takes a push."""

    database: Database
    poller: Poller
    settings: WebSubSettings
    max_body_bytes: int
    on_stored: Callable[[], None] | None = None  # wakes the outbox sender

    def app(self) -> web.Application:
        base = urlsplit(self.settings.callback_url or "").path.rstrip("/")
        app = web.Application(client_max_size=self.max_body_bytes)
        app.router.add_get(base + "/{feed_id:\\d+}", self.verify)
        app.router.add_post(base + "/{feed_id:\\d+}", self.push)
        return app

    async def verify(self, request: web.Request) -> web.Response:
        feed_id = int(request.match_info["feed_id"])
        mode = request.query.get("hub.mode", "")
        topic = request.query.get("hub.topic", "")
        challenge = request.query.get("hub.challenge", "")
        now = utcnow()
        if mode == "denied":
            async with self.database.session() as session:
                await websub_store.deny(session, feed_id, topic=topic)
            log.warning("WebSub hub denied feed %d (%s): %s", feed_id, topic, request.query.get("hub.reason", ""))
            return web.Response(text="ok")
        if mode != "subscribe" or not challenge:
            log.info("WebSub verification for feed %d refused: mode %r", feed_id, mode[:32])
            return web.Response(status=404, text="no such subscription\n")
        lease = _lease(request.query.get("hub.lease_seconds"), self.settings.lease)
        async with self.database.session() as session:
            confirmed = await websub_store.confirm(session, feed_id, topic=topic, lease=lease, now=now)
        if not confirmed:
            log.info("WebSub verification for feed %d refused: not a subscription we asked for", feed_id)
            return web.Response(status=404, text="no such subscription\n")
        log.info("WebSub subscription of feed %d verified, lease %s", feed_id, lease)
        return web.Response(text=challenge, content_type="text/plain")

    async def push(self, request: web.Request) -> web.Response:
        feed_id = int(request.match_info["feed_id"])
        async with self.database.read_session() as session:
            feed = await websub_store.get_pushed_feed(session, feed_id, now=utcnow())
        if feed is None:
            log.info("WebSub push for feed %d refused: no live subscription", feed_id)
            return web.Response(status=410, text="no such subscription\n")
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            log.warning("WebSub push for feed %s refused: over %d bytes", feed.url, self.max_body_bytes)
            return web.Response(status=413, text="too large\n")
        try:
            check_signature(feed.websub_secret or "", request.headers.get("X-Hub-Signature"), body)
        except SignatureInvalid as exc:
            log.warning("WebSub push for feed %s ignored: %s", feed.url, exc)
            return web.Response(status=403, text="bad signature\n")
        try:
            result = await self.poller.ingest_push(feed, body, request.headers.get("Content-Type"))
        except ParseError as exc:
            log.warning("WebSub push for feed %s refused (%s): %s", feed.url, exc.code, exc)
            return web.Response(status=400, text="not a feed\n")
        log.info("WebSub push for feed %s: %s", feed.url, result.describe())
        if result.new_items and self.on_stored is not None:
            self.on_stored()
        return web.Response(status=204)


def _lease(value: str | None, asked: timedelta) -> timedelta:
    try:
        seconds = int(value) if value else int(asked.total_seconds())
    except ValueError:
        seconds = int(asked.total_seconds())
    return min(timedelta(seconds=max(seconds, 60)), MAX_LEASE)


async def start_receiver(receiver: WebSubReceiver) -> web.AppRunner:
    """Serve the callback on ``websub.listen:port``; the caller cleans the runner up."""
    runner = web.AppRunner(receiver.app(), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, receiver.settings.listen, receiver.settings.port)
    await site.start()
    return runner
