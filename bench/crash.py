"""kill -9 a deliver worker again and again during a fan-out: lost and doubled messages, on SQLite and PostgreSQL.

A real ``python -m bot worker --role deliver`` process sends one outbox row to each of N chats through the Bot
API emulator (its own process, enforcing Telegram's limits). Every N / (kills + 1) accepted sends, at a random
moment, the worker gets SIGKILL and is started again under the same name (as systemd would). At the end:
messages lost (a row never received), doubled (received twice), and the rows in doubt at each kill (marked
mid-send, storage/outbox.py), which bound the doubles.

    .venv/bin/python bench/crash.py                      # 1,000 chats, 20 kills, both databases (~5 min)
    .venv/bin/python bench/crash.py --chats 200 --kills 5 --databases sqlite
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from emulator import EmulatorClient  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.models import OutboxMessage  # noqa: E402
from testkit.databases import create_postgres_database, drop_postgres_database  # noqa: E402
from testkit.emulators import emulator_process  # noqa: E402
from testkit.seed import chat_ids, count_sent, seed_outbox  # noqa: E402
from testkit.workers import Workers, worker_env, write_config  # noqa: E402

WORKER = "crash-bench"


async def marked(database: Database) -> int:
    async with database.read_session() as session:
        stmt = select(func.count()).where(OutboxMessage.status == "pending", OutboxMessage.sending_at.is_not(None))
        return int(await session.scalar(stmt) or 0)


async def wait_sent(database: Database, target: int, within: float) -> int:
    deadline = time.monotonic() + within
    while True:  # the database is the only signal another process gives
        sent = await count_sent(database)
        if sent >= target or time.monotonic() > deadline:
            return sent
        await asyncio.sleep(0.02)


async def run(kind: str, chats: int, kills: int, in_flight: int, rng: random.Random) -> dict[str, float]:
    url = await create_postgres_database() if kind == "postgres" else ""
    with tempfile.TemporaryDirectory() as tmp, emulator_process() as emulator:
        url = url or f"sqlite+aiosqlite:///{tmp}/crash.db"
        database = Database(url)
        group = None
        try:
            await database.upgrade()
            texts = await seed_outbox(database, chat_ids(private=chats, groups=0), per_chat=1)
            extra = f"[delivery]\nin_flight = {in_flight}\n"
            group = Workers(Path(tmp), write_config(Path(tmp) / "crash.toml", url, extra), worker_env(url, emulator))
            step = max(1, len(texts) // (kills + 1))
            in_doubt: list[int] = []
            for n in range(kills):
                worker = group.start("deliver", WORKER)
                await wait_sent(database, (n + 1) * step, within=120)
                await asyncio.sleep(rng.uniform(0, 0.1))  # somewhere between two sends, or inside one
                worker.process.kill()
                worker.process.wait(10)
                in_doubt.append(await marked(database))
            group.start("deliver", WORKER)
            sent = await wait_sent(database, len(texts), within=len(texts) / 10 + 120)
            group.stop_all()
            received = Counter(m.text for m in emulator.sent_messages())
            return figures(texts, received, sent, in_doubt, emulator)
        finally:
            if group is not None:
                group.stop_all()
            await database.aclose()
            if kind == "postgres":
                await drop_postgres_database(url)


def figures(
    texts: dict[int, str], received: Counter[str], sent: int, in_doubt: list[int], emulator: EmulatorClient
) -> dict[str, float]:
    return {
        "rows": len(texts),
        "marked sent": sent,
        "lost": sum(1 for t in texts.values() if t not in received),
        "doubled": sum(1 for t in texts.values() if received[t] > 1),
        "kills": len(in_doubt),
        "in doubt (total)": sum(in_doubt),
        "in doubt (most at one kill)": max(in_doubt, default=0),
        "limit violations": len(emulator.violations()),
    }


async def main(args: argparse.Namespace) -> int:
    rng = random.Random(args.seed)
    failed = False
    for kind in args.databases.split(","):
        started = time.monotonic()
        result = await run(kind, args.chats, args.kills, args.in_flight, rng)
        print(f"{kind}: {args.chats} chats, {args.kills} kills (SIGKILL), in_flight window {args.in_flight}")
        for name, value in result.items():
            print(f"  {name}: {value}")
        took = time.monotonic() - started
        print(f"  doubled / in doubt: {result['doubled']} / {result['in doubt (total)']} ({took:.0f} s)")
        failed |= bool(result["lost"]) or result["doubled"] > result["in doubt (total)"]
    return 1 if failed else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=1000)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--in-flight", type=int, default=8, help="delivery.in_flight of the worker")
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--seed", type=int, default=14)
    sys.exit(asyncio.run(main(parser.parse_args())))
