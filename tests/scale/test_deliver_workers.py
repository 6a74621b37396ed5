"""Three deliver worker processes drain one PostgreSQL outbox against the Bot API emulator (a process too)."""

from __future__ import annotations

import asyncio
import re
import time
from collections import Counter
from pathlib import Path

import pytest

from emulator import EmulatorClient
from storage.db import Database
from testkit.seed import chat_ids, count_sent, pending_claimed_by, seed_outbox
from testkit.workers import Workers, worker_env, write_config
from tests.conftest import create_postgres_database, drop_postgres_database

pytestmark = pytest.mark.postgres


async def wait_all_sent(database: Database, total: int, workers: Workers, within: float) -> int:
    deadline = time.monotonic() + within
    sent = 0
    while time.monotonic() < deadline:
        sent = await count_sent(database)
        if sent >= total:
            return sent
        crashed = [w.name for w in workers.started if w.process.poll() not in (None, -9)]
        assert not crashed, f"workers exited early: {crashed}"
        await asyncio.sleep(1.0)
    return sent


def texts_received(emulator: EmulatorClient) -> Counter[str]:
    return Counter(m.text for m in emulator.sent_messages())


@pytest.mark.timeout(420)
@pytest.mark.slow(190)
async def test_three_deliver_workers_send_5000_rows_once_within_every_limit(
    tmp_path: Path, emulator_process: EmulatorClient, workers: list[Workers]
) -> None:
    url = await create_postgres_database()
    database = Database(url)
    try:
        await database.upgrade()
        texts = await seed_outbox(database, chat_ids(private=950, groups=50), per_chat=5)
        assert len(texts) == 5000
        config = write_config(tmp_path / "config.toml", url, "[delivery]\nlease = 30\nbatch_size = 20\n")
        group = Workers(tmp_path, config, worker_env(url, emulator_process))
        workers.append(group)
        for n in range(3):
            group.start("deliver", f"deliver-{n}")
        sent = await wait_all_sent(database, len(texts), group, within=330)
        group.stop_all()
        assert sent == len(texts)
        received = texts_received(emulator_process)
        assert set(received) == set(texts.values())  # nothing lost, nothing foreign
        assert [t for t, n in received.items() if n > 1] == []  # nothing twice
        assert emulator_process.violations() == []  # per chat, per group and overall limits held
        assert emulator_process.stats()["rate_limited"] == 0
        for worker in group.started:  # every worker took part, and logged in JSON
            sent_counts = [re.search(r" sent (\d+) messages", r["message"]) for r in worker.log_records()]
            sent_counts = [int(found.group(1)) for found in sent_counts if found]
            assert sent_counts and sent_counts[-1] > 0, worker.name
    finally:
        await database.aclose()
        await drop_postgres_database(url)


@pytest.mark.timeout(240)
@pytest.mark.slow(30)
async def test_a_killed_worker_s_rows_are_sent_by_the_others_after_its_lease(
    tmp_path: Path, emulator_process: EmulatorClient, workers: list[Workers]
) -> None:
    url = await create_postgres_database()
    database = Database(url)
    try:
        await database.upgrade()
        texts = await seed_outbox(database, chat_ids(private=300, groups=0), per_chat=2)
        config = write_config(tmp_path / "config.toml", url, "[delivery]\nlease = 4\nbatch_size = 10\n")
        group = Workers(tmp_path, config, worker_env(url, emulator_process))
        workers.append(group)
        victim = group.start("deliver", "deliver-victim")
        for n in range(2):
            group.start("deliver", f"deliver-{n}")
        deadline = time.monotonic() + 60
        while await count_sent(database) < 150 and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.2)
        victim.process.kill()  # SIGKILL: no clean-up, its claims stay until the lease runs out
        victim.process.wait(10)
        orphaned = await pending_claimed_by(database, "deliver-victim")
        assert orphaned > 0, "the killed worker held no claims; the test proved nothing"
        sent = await wait_all_sent(database, len(texts), group, within=120)
        group.stop_all()
        assert sent == len(texts)
        received = texts_received(emulator_process)
        assert set(received) == set(texts.values())  # nothing lost
        doubled = [t for t, n in received.items() if n > 1]
        assert len(doubled) <= 1 and all(received[t] == 2 for t in doubled)  # at most the one in flight
        assert emulator_process.violations() == []
    finally:
        await database.aclose()
        await drop_postgres_database(url)
