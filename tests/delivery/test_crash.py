"""Finding 7: kill -9 during a fan-out. Each row is marked in flight just before its request and unmarked with
the answer; a worker has at most ``delivery.in_flight`` sends going; the rows still marked after a kill are in
doubt, counted, and sent again. A real deliver worker process, killed while the proxy in front of the emulator
holds the answers of sends that Telegram took (testkit/holdproxy.py)."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from emulator import EmulatorClient
from storage import outbox
from storage.db import Database
from storage.models import OutboxMessage
from testkit.emulators import emulator_process
from testkit.holdproxy import HoldingProxy
from testkit.seed import chat_ids, count_sent, seed_outbox
from testkit.workers import Workers, worker_env, write_config
from tests.conftest import create_postgres_database, drop_postgres_database

IN_FLIGHT = 4
CHATS = 20


@pytest.fixture
def emulator() -> Iterator[EmulatorClient]:
    with emulator_process() as client:
        yield client


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def crash_url(request, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'crash.db'}"
        return
    url = await create_postgres_database()
    try:
        yield url
    finally:
        await drop_postgres_database(url)


async def marked_rows(database: Database) -> list[OutboxMessage]:
    async with database.read_session() as session:
        stmt = select(OutboxMessage).where(OutboxMessage.sending_at.is_not(None)).order_by(OutboxMessage.id)
        return list((await session.scalars(stmt)).all())


async def wait_all_sent(database: Database, total: int, within: float = 60.0) -> None:
    deadline = time.monotonic() + within
    while (sent := await count_sent(database)) < total:
        assert time.monotonic() < deadline, f"only {sent} of {total} rows sent"
        await asyncio.sleep(0.1)


@pytest.mark.timeout(180)
async def test_a_kill_mid_send_doubles_only_the_rows_marked_in_flight_and_loses_none(
    tmp_path: Path, emulator: EmulatorClient, crash_url: str
) -> None:
    database = Database(crash_url)
    group = None
    try:
        await database.upgrade()
        texts = await seed_outbox(database, chat_ids(private=CHATS, groups=0), per_chat=1)
        config = write_config(
            tmp_path / "config.toml", crash_url, f"[delivery]\nin_flight = {IN_FLIGHT}\nbatch_size = 10\n"
        )
        async with HoldingProxy(emulator.url) as proxy:
            env = worker_env(crash_url, emulator) | {"TELEGRAM_API_BASE_URL": proxy.base_url}
            group = Workers(tmp_path, config, env)
            victim = group.start("deliver", "crash-victim")
            async with asyncio.timeout(60):
                await proxy.wait_held(IN_FLIGHT)
            # The window is full: its rows are marked, the other claimed rows are not, and no fifth send starts.
            marked = await marked_rows(database)
            assert len(marked) == IN_FLIGHT
            async with database.read_session() as session:
                claimed = await session.scalars(select(OutboxMessage).where(OutboxMessage.claimed_by == "crash-victim"))
                assert len(claimed.all()) > IN_FLIGHT
            assert await proxy.forward_held() == IN_FLIGHT  # Telegram took them; the worker never hears
            assert len(emulator.sent_messages()) == IN_FLIGHT
            victim.process.kill()
            victim.process.wait(10)
            assert [r.id for r in await marked_rows(database)] == [r.id for r in marked]

            proxy.release()
            group.start("deliver", "crash-victim")  # the restart takes its claims back at once
            await wait_all_sent(database, len(texts))
            group.stop_all()

        received = Counter(m.text for m in emulator.sent_messages())
        assert set(received) == set(texts.values())  # nothing lost
        doubled = sorted(t for t, n in received.items() if n > 1)
        assert doubled == sorted(texts[r.id] for r in marked)  # exactly the rows that were in flight
        assert all(received[t] == 2 for t in doubled)
        async with database.read_session() as session:
            assert await outbox.count_sending(session) == 0  # every answer released its mark
            in_doubt = await session.scalars(select(OutboxMessage.id).where(OutboxMessage.last_error == "in_doubt"))
            assert sorted(in_doubt.all()) == [r.id for r in marked]
        restarted = group.started[-1]
        assert any(f"{IN_FLIGHT} outbox rows were mid-send at a crash" in r["message"] for r in restarted.log_records())
        assert emulator.violations() == []
    finally:
        if group is not None:
            group.stop_all()
        await database.aclose()
