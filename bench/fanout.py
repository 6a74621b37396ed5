"""Fan out one alert to N chats through the real sender against the emulator enforcing Telegram's limits.

Prints the achieved send rate as a ratio of the overall limit (30 msg/s) and the number of 429s.
    .venv/bin/python bench/fanout.py            # 10,000 chats, about 5.5 minutes
    .venv/bin/python bench/fanout.py --chats 600
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
import tomllib
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis import Annotation  # noqa: E402
from analysis.config import DEFAULT_TOPICS_PATH  # noqa: E402
from bot.app import build_application, running  # noqa: E402
from bot.settings import settings_from_mapping  # noqa: E402
from emulator import Emulator  # noqa: E402
from handlers.runtime import get_runtime  # noqa: E402
from ingest.store import PolledFeed, store_polls  # noqa: E402
from model.items import NormalisedItem  # noqa: E402
from model.polls import PollSuccess  # noqa: E402
from storage import feeds as feed_store  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.items import NewItem  # noqa: E402
from storage.models import Chat, Subscription, utcnow  # noqa: E402

FIRST_CHAT = 1_000_000


async def seed(database: Database, chats: int) -> None:
    now = utcnow() - timedelta(minutes=1)
    async with database.session() as session:
        session.add_all(
            Chat(id=FIRST_CHAT + i, type="private", language="en", settings={}, active=True, created_at=now)
            for i in range(chats)
        )
        await session.flush()
        session.add_all(
            Subscription(chat_id=FIRST_CHAT + i, topic="emergency_response", created_at=now) for i in range(chats)
        )


async def store_alert(database: Database) -> int:
    entry = NormalisedItem(
        guid="fanout-1",
        url="https://news.example.org/fanout",
        title="Joint emergency exercise in Central Asia",
        summary="Rescue services from five countries trained together.",
        content_hash="f" * 64,
        simhash=12345,
        published=utcnow(),
        language="en",
    )
    annotation = Annotation(
        language="en",
        topics=["emergency_response"],
        scores={"emergency_response": 0.9},
        evidence={},
        countries=["KZ"],
        orgs=[],
        events=[],
        summary=entry.summary,
        keywords=[],
    )
    async with database.session() as session:
        feed = await feed_store.add_feed(
            session, "https://news.example.org/rss", title="Example", interval=timedelta(hours=1)
        )
    now = utcnow()
    success = PollSuccess(feed.id, now=now, next_poll_at=now + timedelta(hours=1), etag=None, last_modified=None)
    async with database.session() as session:  # the poller's store: the item and its alerts in one transaction
        [stored] = await store_polls(
            session, [PolledFeed(success, [NewItem(entry, annotation)])], near_window=timedelta(days=7), max_distance=3
        )
    return stored.alerts


async def main(chats: int) -> int:
    topics = tomllib.loads(DEFAULT_TOPICS_PATH.read_text(encoding="utf-8"))["topics"]
    with tempfile.TemporaryDirectory() as tmp, Emulator() as emulator:
        url = f"sqlite+aiosqlite:///{tmp}/fanout.db"
        env = {
            "TELEGRAM_BOT_TOKEN": emulator.token,
            "TELEGRAM_API_BASE_URL": emulator.base_url,
            "COOPWATCH_DATABASE_URL": url,
        }
        settings = settings_from_mapping({"topics": topics}, env)
        database = Database(url)
        await database.upgrade()
        await seed(database, chats)
        app = build_application(settings, database)
        async with running(app, poll_feeds=False):
            emulator.reset_records()
            queued = await store_alert(database)
            get_runtime(app).wake_sender()
            started = time.monotonic()
            while len(emulator.send_times()) < queued:
                await asyncio.sleep(0.5)
                if time.monotonic() - started > chats / 10 + 60:
                    print("timed out", file=sys.stderr)
                    break
            stats = get_runtime(app).sender.stats
        await database.aclose()
        times = emulator.send_times()
        limit = settings.delivery.global_per_second
        elapsed = times[-1] - times[0] if len(times) > 1 else float("nan")
        rate = (len(times) - 1) / elapsed if len(times) > 1 else 0.0
        emu = emulator.stats()
        print(f"chats {chats}, alerts queued {queued}, delivered {len(times)}")
        print(f"elapsed {elapsed:.1f} s, rate {rate:.2f} msg/s, limit {limit:g} msg/s")
        print(f"ratio of limit {rate / limit:.3f}")
        print(
            f"429s: {emu['rate_limited'] + emu['injected_errors']} (sender flood waits {stats.flood_waits}), "
            f"limit violations {emu['violations']}"
        )
        return 0 if len(times) == queued else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=10_000)
    sys.exit(asyncio.run(main(parser.parse_args().chats)))
