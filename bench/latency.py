"""Publication to sendMessage: a polled feed against a feed whose WebSub hub pushes, through the whole bot.

The real Application (annotator, store, outbox sender) talks to the Bot API emulator; the feed is served on
loopback and the hub is testkit/hub.py. Each round publishes one new story and times it until the emulator
holds its sendMessage. The polled feed is polled every --interval seconds (production default: 1800), so its
figure is about half that interval; the pushed one does not depend on it.
    .venv/bin/python bench/latency.py                 # 3 polled rounds at a 60 s interval, 5 pushed
    .venv/bin/python bench/latency.py --interval 30 --rounds 2
"""

from __future__ import annotations

import argparse
import asyncio
import random
import socket
import statistics
import sys
import tempfile
import time
import tomllib
from datetime import timedelta
from email.utils import format_datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis import Annotator  # noqa: E402
from analysis.config import DEFAULT_TOPICS_PATH  # noqa: E402
from bot.app import build_application, running  # noqa: E402
from bot.settings import load_settings, settings_from_mapping  # noqa: E402
from emulator import Emulator  # noqa: E402
from storage import chats as chat_store  # noqa: E402
from storage import feeds as feed_store  # noqa: E402
from storage import subscriptions as sub_store  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.models import utcnow  # noqa: E402
from testkit.feedserver import FeedServer  # noqa: E402
from testkit.hub import LoopbackHub  # noqa: E402

CHAT = 5_000_001
# Each story reads differently, so near-duplicate matching never folds one into another.
PLACES = ["Osh", "Naryn", "Talas", "Karakol", "Batken", "Jalal-Abad", "Taraz", "Shymkent", "Almaty", "Kordai", "Tokmok"]
HAZARDS = ["a mudflow", "a flood", "an earthquake", "a landslide", "an avalanche", "a dam breach", "heavy rain"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss(stories: list[str], hub: str | None, self_url: str) -> bytes:
    link = f'<atom:link rel="hub" href="{hub}"/><atom:link rel="self" href="{self_url}"/>' if hub else ""
    items = "".join(
        f"<item><guid>{s}</guid><link>https://news.example.kg/{s}</link>"
        f"<title>Rescuers of {PLACES[n % len(PLACES)]} send teams after {HAZARDS[n % len(HAZARDS)]}, report {s}</title>"
        f"<description>Emergency crews from Kyrgyzstan and Kazakhstan reached {PLACES[n % len(PLACES)]} with "
        f"relief supplies after the {HAZARDS[n % len(HAZARDS)]}; story {s} of {len(stories)}.</description>"
        f"<pubDate>{format_datetime(utcnow())}</pubDate></item>"
        for n, s in reversed(list(enumerate(stories, start=7 * len(self_url))))
    )
    return (
        '<?xml version="1.0"?><rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel>'
        f"<title>Latency wire</title>{link}{items}</channel></rss>"
    ).encode()


async def wait_for_text(emulator: Emulator, marker: str, timeout: float) -> float:  # noqa: ASYNC109
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(marker in (m.text or "") for m in emulator.sent_messages(CHAT)):
            return time.monotonic()
        await asyncio.sleep(0.02)  # a benchmark samples; tests wait for events
    raise TimeoutError(f"no alert for {marker} within {timeout:.0f}s")


async def run(interval: int, polled_rounds: int, pushed_rounds: int) -> None:
    shipped = load_settings(ROOT / "config.toml", {})
    annotator = Annotator.load(shipped.topics, shipped.analysis)
    topics = tomllib.loads(DEFAULT_TOPICS_PATH.read_text(encoding="utf-8"))["topics"]
    emulator = Emulator().start()
    hub = await LoopbackHub().start()
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp, FeedServer() as server:
        database = Database(f"sqlite+aiosqlite:///{Path(tmp) / 'latency.db'}")
        await database.upgrade()
        polled_url, pushed_url = server.url("/polled.xml"), server.url("/pushed.xml")
        polled, pushed = ["p-0"], ["w-0"]
        server.set_feed("/polled.xml", rss(polled, None, polled_url))
        server.set_feed("/pushed.xml", rss(pushed, hub.url, pushed_url))
        async with database.session() as session:
            for url in (polled_url, pushed_url):
                await feed_store.add_feed(session, url, interval=timedelta(seconds=interval))
            await chat_store.upsert_chat(session, chat_id=CHAT, type="private", language="en")
            await sub_store.add_subscription(session, CHAT, topic="emergency_response", country=None)
        raw = {
            "topics": topics,
            "feeds": {"allow_private_addresses": True, "tick": 1, "min_interval": 10, "jitter": 0.0},
            "websub": {"callback_url": f"http://127.0.0.1:{port}/websub", "port": port},
        }
        env = {
            "TELEGRAM_BOT_TOKEN": emulator.token,
            "TELEGRAM_API_BASE_URL": emulator.base_url,
            "TELEGRAM_API_BASE_FILE_URL": emulator.base_file_url,
            "COOPWATCH_DATABASE_URL": database.url,
        }
        app = build_application(settings_from_mapping(raw, env), database, annotator=annotator)
        async with running(app, poll_feeds=True, receive=False):
            await wait_for_text(emulator, "p-0", 60)
            await wait_for_text(emulator, "w-0", 60)
            await asyncio.wait_for(hub.verified.wait(), 60)
            pushed_times = []
            for n in range(1, pushed_rounds + 1):
                pushed.append(f"w-{n}")
                body = rss(pushed, hub.url, pushed_url)
                server.set_feed("/pushed.xml", body)
                published = time.monotonic()
                await hub.push(pushed_url, body)
                pushed_times.append(await wait_for_text(emulator, f"w-{n}", 30) - published)
            polled_times = []
            for n in range(1, polled_rounds + 1):
                await asyncio.sleep(random.uniform(0, interval))  # publication falls anywhere in the interval
                polled.append(f"p-{n}")
                server.set_feed("/polled.xml", rss(polled, None, polled_url))
                published = time.monotonic()
                polled_times.append(await wait_for_text(emulator, f"p-{n}", interval * 2 + 30) - published)
        await database.aclose()
    await hub.stop()
    emulator.stop()
    print(
        f"pushed (WebSub): median {statistics.median(pushed_times):.2f} s, max {max(pushed_times):.2f} s "
        f"over {len(pushed_times)} stories"
    )
    print(
        f"polled every {interval} s: median {statistics.median(polled_times):.1f} s, max {max(polled_times):.1f} s "
        f"over {len(polled_times)} stories"
    )
    print(f"ratio polled/pushed (median): {statistics.median(polled_times) / statistics.median(pushed_times):.0f}x")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--interval", type=int, default=60, help="the polled feed's interval in seconds (>= 10)")
    ap.add_argument("--rounds", type=int, default=3, help="polled stories")
    ap.add_argument("--pushed", type=int, default=5, help="pushed stories")
    args = ap.parse_args()
    asyncio.run(run(max(args.interval, 10), args.rounds, args.pushed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
