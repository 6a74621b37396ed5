"""Three poll worker processes share 300 due feeds on the loopback feed server through PostgreSQL claims."""

from __future__ import annotations

import asyncio
import re
import time
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from storage.db import Database
from storage.models import Feed
from testkit.feedserver import FeedServer, build_rss
from testkit.seed import seed_feeds
from testkit.workers import Workers, worker_env, write_config
from tests.conftest import create_postgres_database, drop_postgres_database

pytestmark = pytest.mark.postgres

FEEDS = 300
INTERVAL = 15  # seconds; short so the test sees two intervals
POLL_CONFIG = """[feeds]
allow_private_addresses = true
tick = 1
min_interval = 10
jitter = 0
max_concurrency = 16
per_host_concurrency = 16
"""


@pytest.mark.timeout(180)
@pytest.mark.slow(35)
async def test_three_poll_workers_fetch_each_feed_exactly_once_per_interval(
    tmp_path: Path, feed_server: FeedServer, workers: list[Workers]
) -> None:
    prefix = f"/scale-{time.time_ns()}"
    paths = [f"{prefix}/{i}.xml" for i in range(FEEDS)]
    urls = [feed_server.set_feed(p, build_rss(2, feed_id=f"scale{i}", seed=i)) for i, p in enumerate(paths)]
    url = await create_postgres_database()
    database = Database(url)
    try:
        await database.upgrade()
        await seed_feeds(database, urls, timedelta(seconds=INTERVAL))
        group = Workers(tmp_path, write_config(tmp_path / "config.toml", url, POLL_CONFIG), worker_env(url))
        workers.append(group)
        for n in range(3):
            group.start("poll", f"poll-{n}")

        def fetches() -> dict[str, list[float]]:
            times: dict[str, list[float]] = defaultdict(list)
            for record in feed_server.requests:
                if record.path.startswith(prefix + "/"):
                    times[record.path].append(record.time)
            return times

        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            seen = fetches()
            if len(seen) == FEEDS and all(len(t) >= 2 for t in seen.values()):
                break
            await asyncio.sleep(0.5)
        # Every pass that claimed a feed has fetched it and stored the outcome once no claim is held: a feed
        # taken by two workers would have its second fetch recorded by then (its claim is released only after).
        await _wait_until_no_feed_is_claimed(database, timeout=30)
        group.stop_all()
        times = fetches()
    finally:
        await database.aclose()
        await drop_postgres_database(url)

    assert sorted(times) == sorted(paths)  # every feed was fetched
    assert [p for p, t in times.items() if len(t) < 2] == []  # ... in the first and the second interval
    gaps = [b - a for t in times.values() for a, b in zip(sorted(t), sorted(t)[1:], strict=False)]
    assert min(gaps) >= INTERVAL - 0.05  # never twice within one interval: no feed claimed by two workers
    polled = {}
    for worker in group.started:  # JSON logs: every worker took part and the shares add up
        counts = [re.search(r"polled (\d+) feeds", r["message"]) for r in worker.log_records()]
        polled[worker.name] = sum(int(m.group(1)) for m in counts if m)
    # A pass cut short by the stop logs nothing, so the logged shares may fall short of the fetches.
    assert FEEDS <= sum(polled.values()) <= sum(len(t) for t in times.values()), polled
    assert all(n > 0 for n in polled.values()), polled


async def _wait_until_no_feed_is_claimed(database: Database, *, timeout: float) -> None:  # noqa: ASYNC109
    deadline = time.monotonic() + timeout
    while True:
        async with database.read_session() as session:
            claimed = await session.scalar(select(func.count()).select_from(Feed).where(Feed.claimed_by.is_not(None)))
        if claimed == 0:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"{claimed} feed(s) still claimed after {timeout}s")
        await asyncio.sleep(0.1)
