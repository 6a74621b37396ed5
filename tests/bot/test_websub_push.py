"""WebSub through the whole bot: the real Application against the emulator, a hub on loopback, a feed that
names it. A pushed story reaches the subscribed chat within seconds, without waiting for a poll."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from analysis import Annotator
from bot.app import build_application, running
from bot.settings import load_settings
from testkit.hub import LoopbackHub
from testkit.ports import free_port
from tests.bot.conftest import make_settings, subscribers
from tests.ingest.conftest import add_feeds
from tests.ingest.test_websub import hub_rss

ROOT = Path(__file__).resolve().parents[2]
CHAT = 424242


async def test_a_pushed_story_reaches_the_chat_in_under_five_seconds(emulator, sqlite_database, feed_server) -> None:
    shipped = load_settings(ROOT / "config.toml", {})
    annotator = Annotator.load(shipped.topics, shipped.analysis)
    hub = await LoopbackHub().start()
    port = free_port()
    settings = make_settings(
        emulator,
        sqlite_database,
        feeds={"allow_private_addresses": True, "connect_timeout": 2, "read_timeout": 2, "total_timeout": 5},
        websub={"callback_url": f"http://127.0.0.1:{port}/websub", "port": port},
    )
    path = f"/websub-e2e/{id(sqlite_database)}.xml"
    url = feed_server.set_feed(path, hub_rss(hub.url, feed_server.url(path), ["e2e-1"]))
    await add_feeds(sqlite_database, url)
    await subscribers(sqlite_database, [CHAT], topic="emergency_response", country="KG")
    app = build_application(settings, sqlite_database, annotator=annotator)
    try:
        async with running(app, poll_feeds=True, receive=False):
            runtime = app.bot_data["runtime"]
            await runtime.poller.poll_due(all_feeds=True)  # the poll that reads the hub link
            await emulator.wait_for_messages_async(CHAT, 1, timeout=20)
            await asyncio.wait_for(hub.verified.wait(), 30)  # the websub job subscribed, the hub verified
            assert hub.subscriptions[url].verified
            pushed_at = time.monotonic()
            status = await hub.push(url, hub_rss(hub.url, url, ["e2e-1", "e2e-2"]))
            assert status == 204
            messages = await emulator.wait_for_messages_async(CHAT, 2, timeout=5)
            elapsed = time.monotonic() - pushed_at
            assert "e2e-2" in messages[-1].text
            assert elapsed < 5
            # A forged push of a third story never reaches the chat.
            assert await hub.push(url, hub_rss(hub.url, url, ["e2e-3"]), secret="forged") == 403
            assert len(emulator.sent_messages(CHAT)) == 2
    finally:
        await hub.stop()
