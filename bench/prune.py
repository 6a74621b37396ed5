"""Retention over time: synthetic traffic day by day with the daily prune, and the SQLite file size it keeps.

Each simulated day stores ``--items`` stories (sources, topics, countries, search text, like the poller's) and
an alert row per story for each of ``--chats`` chats, sent that day; then the daily retention pass runs with
that day as "now" (defaults: items 365 days, outbox 30 days). Printed every 30 days: the file size and the rows
kept, then the growth over the last ``--items-days`` / 3 days as a ratio of the size (near 0: levelled off).
A second run without pruning is the baseline.

    .venv/bin/python bench/prune.py                      # 540 days, 40 stories a day, 10 chats (~3 min)
    .venv/bin/python bench/prune.py --days 120 --items-days 60
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from storage import chats as chat_store  # noqa: E402
from storage import feeds as feed_store  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.models import Item, ItemCountry, ItemSearch, ItemSource, ItemTopic, OutboxMessage  # noqa: E402
from storage.retention import prune_database, sqlite_size  # noqa: E402

START = datetime(2026, 1, 1, 8, tzinfo=UTC)
WORDS = (
    *[
        "rescue",
        "flood",
        "earthquake",
        "exercise",
        "agreement",
        "ministry",
        "health",
        "outbreak",
        "vaccine",
        "laboratory",
        "border",
    ],
    *[
        "response",
        "relief",
        "drill",
        "cooperation",
        "mudslide",
        "avalanche",
        "emergency",
        "centre",
        "Almaty",
        "Bishkek",
        "Dushanbe",
    ],
)


def story(rng: random.Random, n: int) -> tuple[str, str]:
    title = " ".join(rng.choice(WORDS) for _ in range(9)).capitalize()
    body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(60, 140)))
    return title, body


async def one_day(database: Database, rng: random.Random, day: int, feed_id: int, items: int, chats: int) -> None:
    at = START + timedelta(days=day)
    async with database.session() as session:
        stored = []
        for k in range(items):
            n = day * items + k
            title, body = story(rng, n)
            sh = rng.getrandbits(62)
            item = Item(
                feed_id=feed_id,
                guid=f"bench-{n}",
                url=f"https://news.example.org/{n}",
                title=title,
                summary=body,
                content_hash=f"{n:064x}",
                simhash=sh,
                simhash_band0=sh & 0xFFFF,
                simhash_band1=(sh >> 16) & 0xFFFF,
                simhash_band2=(sh >> 32) & 0xFFFF,
                simhash_band3=(sh >> 48) & 0x3FFF,
                published_at=at,
                fetched_at=at,
                language="en",
                short_summary=body[:200],
                keywords=WORDS[:5],
                annotation={"scores": {"emergency_response": 0.8}},
                band="send",
            )
            item.sources = [ItemSource(feed_id=feed_id, guid=item.guid, url=item.url, seen_at=at)]
            item.topics = [ItemTopic(topic="emergency_response", score=0.8)]
            item.countries = [ItemCountry(country="KZ")]
            session.add(item)
            stored.append(item)
        await session.flush()
        for item in stored:
            session.add(ItemSearch(item_id=item.id, title=item.title.lower(), body=item.summary.lower()))
            for c in range(chats):
                session.add(
                    OutboxMessage(
                        chat_id=1000 + c,
                        item_id=item.id,
                        dedupe_key=f"alert:{item.id}",
                        status="sent",
                        attempts=1,
                        created_at=at,
                        not_before=at,
                        sent_at=at,
                    )
                )


async def counts(database: Database) -> tuple[int, int]:
    async with database.read_session() as session:
        items = await session.scalar(select(func.count()).select_from(Item))
        rows = await session.scalar(select(func.count()).select_from(OutboxMessage))
    return int(items or 0), int(rows or 0)


async def simulate(args: argparse.Namespace, *, prune: bool) -> list[tuple[int, int]]:
    rng = random.Random(14)
    sizes: list[tuple[int, int]] = []
    with tempfile.TemporaryDirectory() as tmp:
        database = Database(f"sqlite+aiosqlite:///{tmp}/prune.db")
        try:
            await database.upgrade()
            async with database.session() as session:
                feed = await feed_store.add_feed(session, "https://news.example.org/rss", interval=timedelta(hours=1))
                for c in range(args.chats):
                    await chat_store.upsert_chat(session, chat_id=1000 + c, type="private", language="en")
            for day in range(args.days):
                await one_day(database, rng, day, feed.id, args.items, args.chats)
                now = START + timedelta(days=day, hours=12)
                if prune:
                    await prune_database(
                        database,
                        now=now,
                        outbox_before=now - timedelta(days=args.outbox_days),
                        items_before=now - timedelta(days=args.items_days),
                    )
                size = await sqlite_size(database) or 0
                sizes.append((day + 1, size))
                if (day + 1) % 30 == 0 or day + 1 == args.days:
                    items, rows = await counts(database)
                    label = "pruned" if prune else "kept all"
                    print(f"  {label} day {day + 1:4d}: {size / 1e6:7.1f} MB, {items:6d} items, {rows:7d} outbox rows")
        finally:
            await database.aclose()
    return sizes


def growth(sizes: list[tuple[int, int]], span: int) -> float:
    """Growth of the file over the last ``span`` days, as a share of its final size."""
    last = sizes[-1][1]
    earlier = sizes[max(0, len(sizes) - 1 - span)][1]
    return (last - earlier) / last if last else 0.0


async def main(args: argparse.Namespace) -> None:
    print(
        f"{args.days} days, {args.items} stories a day, {args.chats} chats; keep items {args.items_days} days, "
        f"outbox {args.outbox_days} days"
    )
    pruned = await simulate(args, prune=True)
    baseline = await simulate(args, prune=False)
    span = max(1, int(args.items_days // 3))
    print(
        f"growth over the last {span} days, share of the final size: pruned {growth(pruned, span):.3f}, "
        f"kept all (baseline) {growth(baseline, span):.3f}"
    )
    print(f"final size pruned / kept all: {pruned[-1][1] / baseline[-1][1]:.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=540)
    parser.add_argument("--items", type=int, default=40, help="stories a day")
    parser.add_argument("--chats", type=int, default=10, help="alert rows per story")
    parser.add_argument("--items-days", type=float, default=365)
    parser.add_argument("--outbox-days", type=float, default=30)
    asyncio.run(main(parser.parse_args()))
