"""Scale-out benchmark on the real PostgreSQL: poll and deliver workers as separate processes.

1. N feeds on a loopback feed server (its own process): the time for one full poll cycle with 1 poll worker
   and with 3, and the ratio (target: 3 workers <= 0.5 x the time of 1).
2. R outbox rows to C chats drained by 3 deliver workers against the Bot API emulator (its own process,
   enforcing 30 msg/s overall, 1/s per chat, 20/min per group): achieved rate / limit, 429s, violations.
3. Peak RSS of every worker (each logs it when it stops).

    .venv/bin/python bench/scale.py                       # 5,000 feeds; 50,000 rows to 10,000 chats (~28 min)
    .venv/bin/python bench/scale.py --rows 3000 --chats 1000
    .venv/bin/python bench/scale.py --skip-delivery
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import re
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select, update  # noqa: E402

from emulator import EmulatorClient  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.models import Feed, utcnow  # noqa: E402
from testkit.databases import create_postgres_database, drop_postgres_database  # noqa: E402
from testkit.feedserver import FeedServer, build_rss  # noqa: E402
from testkit.seed import count_sent, seed_feeds, seed_outbox  # noqa: E402
from testkit.workers import TOKEN, Workers, worker_env, write_config  # noqa: E402

STARTUP = 15.0  # seconds the feeds wait, so every worker is up before the cycle starts
POLL_CONFIG = """[feeds]
allow_private_addresses = true
tick = 1
max_concurrency = 32
per_host_concurrency = 32
parse_workers = 1
"""


def serve_feeds(n_feeds: int, items: int, ports: multiprocessing.Queue, stop: multiprocessing.Event) -> None:
    with FeedServer(log_limit=1000) as server:
        for i in range(n_feeds):
            server.set_feed(f"/bench/{i}.xml", build_rss(items, feed_id=f"bench{i}", seed=i))
        ports.put(server.base_url)
        stop.wait()


def peak_rss(worker) -> str:  # noqa: ANN001 - tests.scale.conftest.WorkerProcess
    for record in reversed(worker.log_records()):
        found = re.search(r"peak RSS ([\d.]+) MB \(parse processes ([\d.]+) MB\)", record["message"])
        if found:
            return f"{found.group(1)} MB (+ parse process {found.group(2)} MB)"
    return "not logged"


def headroom(times: list[float], limit: int = 30, window: float = 0.95) -> float:
    """How far the tightest run of limit + 1 accepted sends stayed from fitting inside the emulator's
    overall window (1 s less its 0.05 s tolerance): the margin left before the first 429."""
    spans = [times[i + limit] - times[i] for i in range(len(times) - limit)]
    return min(spans) - window if spans else float("nan")


def cpu_seconds(worker) -> float:  # noqa: ANN001 - tests.scale.conftest.WorkerProcess
    """CPU time the worker and its parse processes used, from its last log line (0 if not logged)."""
    for record in reversed(worker.log_records()):
        found = re.search(r"CPU ([\d.]+) s \(parse processes ([\d.]+) s\)", record["message"])
        if found:
            return float(found.group(1)) + float(found.group(2))
    return 0.0


async def poll_cycle(base_url: str, n_feeds: int, n_workers: int, tmp: Path) -> float:
    url = await create_postgres_database()
    database = Database(url)
    group = None
    try:
        await database.upgrade()
        await seed_feeds(database, [f"{base_url}/bench/{i}.xml" for i in range(n_feeds)], timedelta(hours=1))
        start_at = utcnow() + timedelta(seconds=STARTUP)
        async with database.session() as session:
            await session.execute(update(Feed).values(next_poll_at=start_at))
        group = Workers(tmp, write_config(tmp / f"poll{n_workers}.toml", url, POLL_CONFIG), worker_env(url))
        for n in range(n_workers):
            group.start("poll", f"bench-poll{n_workers}-{n}")
        while True:
            async with database.read_session() as session:
                done = await session.scalar(select(func.count()).where(Feed.last_polled_at >= start_at))
                last = await session.scalar(select(func.max(Feed.last_polled_at)))
            if done >= n_feeds:
                break
            await asyncio.sleep(0.5)
        group.stop_all()
        elapsed = (last - start_at).total_seconds()
        print(f"  {n_workers} poll worker(s): {n_feeds} feeds in {elapsed:.1f} s")
        cpu = 0.0
        for worker in group.started:
            used = cpu_seconds(worker)
            cpu += used
            print(f"    {worker.name}: peak RSS {peak_rss(worker)}, CPU {used:.0f} s")
        cores = multiprocessing.cpu_count()
        print(f"    workers' CPU {cpu:.0f} s (start-up included): on {cores} cores no cycle beats {cpu / cores:.0f} s")
        return elapsed
    finally:
        if group is not None:
            group.stop_all()
        await database.aclose()
        await drop_postgres_database(url)


async def bench_polling(n_feeds: int, items: int) -> None:
    ports: multiprocessing.Queue = multiprocessing.Queue()
    stop = multiprocessing.Event()
    server = multiprocessing.Process(target=serve_feeds, args=(n_feeds, items, ports, stop), daemon=True)
    server.start()
    base_url = ports.get(timeout=120)
    print(f"poll cycle: {n_feeds} feeds x {items} items on loopback (rules-only annotation)")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            one = await poll_cycle(base_url, n_feeds, 1, Path(tmp))
            three = await poll_cycle(base_url, n_feeds, 3, Path(tmp))
    finally:
        stop.set()
        server.join(10)
    print(f"  ratio 3 workers / 1 worker: {three / one:.2f} (target <= 0.5; {multiprocessing.cpu_count()} cores)")


async def bench_delivery(rows: int, chats: int) -> None:
    import subprocess

    emulator_proc = subprocess.Popen(  # noqa: ASYNC220 - started once, before the loop has work
        [sys.executable, "-m", "emulator", "--port", "0", "--token", TOKEN],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    url = await create_postgres_database()
    database = Database(url)
    group = None
    try:
        emulator = EmulatorClient(emulator_proc.stdout.readline().strip())
        await database.upgrade()
        per_chat = max(1, rows // chats)
        ids = [800_000 + i for i in range(chats)]
        texts = await seed_outbox(database, ids, per_chat)
        print(f"delivery: {len(texts)} outbox rows to {chats} chats, 3 deliver workers, emulator at 30 msg/s")
        with tempfile.TemporaryDirectory() as tmp:
            config = write_config(Path(tmp) / "deliver.toml", url, "[delivery]\nlease = 60\nbatch_size = 20\n")
            group = Workers(Path(tmp), config, worker_env(url, emulator))
            for n in range(3):
                group.start("deliver", f"bench-deliver-{n}")
            started = time.monotonic()
            while await count_sent(database) < len(texts):
                if time.monotonic() - started > len(texts) / 10 + 120:
                    print("  timed out", file=sys.stderr)
                    break
                await asyncio.sleep(2)
            group.stop_all()
            times = sorted(emulator.send_times())
            stats = emulator.stats()
            elapsed = times[-1] - times[0] if len(times) > 1 else float("nan")
            rate = (len(times) - 1) / elapsed if len(times) > 1 else 0.0
            print(f"  delivered {len(times)} in {elapsed:.1f} s: {rate:.2f} msg/s, ratio of limit {rate / 30:.3f}")
            print(f"  429s: {stats['rate_limited']}, limit violations: {len(emulator.violations())}")
            print(f"  headroom: {headroom(times) * 1000:.0f} ms (the overall window is crossed below 0)")
            for worker in group.started:
                sent = [r["message"] for r in worker.log_records() if re.search(r"sent \d+ messages", r["message"])]
                print(f"    {worker.name}: peak RSS {peak_rss(worker)}; {sent[-1] if sent else 'no summary'}")
        emulator.close()
    finally:
        if group is not None:
            group.stop_all()
        emulator_proc.terminate()
        emulator_proc.wait(10)
        await database.aclose()
        await drop_postgres_database(url)


async def main(args: argparse.Namespace) -> None:
    if not args.skip_polling:
        await bench_polling(args.feeds, args.items)
    if not args.skip_delivery:
        await bench_delivery(args.rows, args.chats)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=5000)
    parser.add_argument("--items", type=int, default=5, help="items per feed")
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--chats", type=int, default=10_000)
    parser.add_argument("--skip-polling", action="store_true")
    parser.add_argument("--skip-delivery", action="store_true")
    asyncio.run(main(parser.parse_args()))
