"""Send slots shared through the database, and mapping them onto a worker's own clock."""

import asyncio
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from delivery.pacing import SHARED_SLOT_MARGIN, ClockOffset, SharedPacer
from model.settings import DeliverySettings
from storage import pacing as pacing_store
from storage.db import Database

INTERVAL = timedelta(milliseconds=200)  # far longer than a reservation takes


async def _reserve(database: Database) -> pacing_store.SlotGrant:
    async with database.session() as session:
        return await pacing_store.reserve_send_slot(session, INTERVAL)


async def test_slots_asked_for_at_once_are_one_interval_apart(database: Database) -> None:
    await _reserve(database)  # the first connection may be slow to open
    await asyncio.sleep(2 * INTERVAL.total_seconds())
    grants = [await _reserve(database) for _ in range(5)]
    gaps = [b.at - a.at for a, b in zip(grants, grants[1:], strict=False)]
    assert gaps == pytest.approx([INTERVAL.total_seconds()] * 4, abs=1e-5)
    assert grants[0].at == pytest.approx(grants[0].db_now, abs=0.05)  # the first slot is now
    assert grants[-1].at > grants[-1].db_now  # the later ones lie ahead


async def test_an_idle_budget_starts_again_from_now(database: Database) -> None:
    await _reserve(database)
    await asyncio.sleep(3 * INTERVAL.total_seconds())
    grant = await _reserve(database)
    assert grant.at == pytest.approx(grant.db_now, abs=0.02)  # no credit was saved up while idle


@pytest.mark.parametrize("database", ["postgres"], indirect=True)
async def test_processes_reserving_together_never_share_a_slot(database: Database) -> None:
    others = [Database(database.url) for _ in range(2)]  # separate engines, as separate workers have
    try:
        grants = await asyncio.gather(*(_reserve(db) for db in (database, *others) for _ in range(10)))
    finally:
        for db in others:
            await db.aclose()
    times = sorted(g.at for g in grants)
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert min(gaps) == pytest.approx(INTERVAL.total_seconds(), abs=1e-5)


def test_clock_offset_keeps_the_tightest_round_trip() -> None:
    offset = ClockOffset(horizon=10.0)
    with pytest.raises(RuntimeError):
        offset.to_local(5.0)
    offset.add(sent=100.0, received=100.4, db_time=1000.3)  # true offset 900, read 0.3 s into the trip
    assert offset.uncertainty == pytest.approx(0.2)
    offset.add(sent=101.0, received=101.002, db_time=1001.001)
    assert offset.to_local(1002.0) == pytest.approx(102.0, abs=0.001)
    offset.add(sent=102.0, received=102.5, db_time=1002.0)  # a slow trip does not replace it
    assert offset.to_local(1002.0) == pytest.approx(102.0, abs=0.001)


def test_clock_offset_renews_an_old_sample_even_with_a_wider_one() -> None:
    offset = ClockOffset(horizon=10.0)
    offset.add(sent=0.0, received=0.002, db_time=50.001)
    offset.add(sent=20.0, received=20.01, db_time=70.505)  # the clocks drifted by half a second
    assert offset.to_local(70.505) == pytest.approx(20.005)


@pytest.mark.parametrize("database", ["postgres"], indirect=True)
async def test_a_reservation_queued_behind_another_worker_does_not_send_early(database: Database) -> None:
    # Slots of ~0.5 s; another worker holds the slot row for 0.3 s while this one asks for a slot.
    settings = DeliverySettings(global_per_second=2)
    # A clock far from the database's: only the offset estimate can line the two up.
    pacer = SharedPacer(settings, database, clock=lambda: time.monotonic() - 5000.0)
    slot = pacer.slot.total_seconds()
    await pacer._take_slot()  # an uncontended slot: also a tight clock sample
    other = Database(database.url)
    try:
        async with other.session() as session:
            await pacing_store.reserve_send_slot(session, pacer.slot)
            waiting = asyncio.create_task(pacer._take_slot())
            await asyncio.sleep(0.3)  # the row stays locked until this transaction commits
        await waiting
        sent_at = time.time()  # the database runs on this machine: its clock is this wall clock
    finally:
        await other.aclose()
    async with database.read_session() as session:
        next_slot = await session.scalar(select(pacing_store.SendSlot.next_slot))
    granted = next_slot.timestamp() - slot
    assert slot == pytest.approx(0.5 * SHARED_SLOT_MARGIN)
    # Never earlier than the clock estimate allows; counting the wait from before the queue is ~0.3 s early.
    assert pacer.offset.uncertainty < 0.1
    assert sent_at >= granted - pacer.offset.uncertainty - 0.002


async def _reserve_in(database: Database, **window) -> pacing_store.SlotGrant:
    async with database.session() as session:
        return await pacing_store.reserve_send_slot(session, timedelta(milliseconds=100), **window)


async def test_no_more_than_depth_slots_fall_inside_one_window(database: Database) -> None:
    window = {"window": timedelta(seconds=1), "depth": 3}
    grants = [await _reserve_in(database, **window) for _ in range(5)]
    assert [g.seq for g in grants] == [1, 2, 3, 4, 5]
    first = grants[0].at
    assert [round(g.at - first, 3) for g in grants[:3]] == [0.0, 0.1, 0.2]
    assert grants[3].at - first == pytest.approx(1.0, abs=1e-3)  # the 4th waits a window after the 1st
    assert grants[4].at - first == pytest.approx(1.1, abs=1e-3)


async def test_a_send_that_may_have_arrived_late_holds_back_the_one_a_window_later(database: Database) -> None:
    window = {"window": timedelta(seconds=1), "depth": 3}
    grants = [await _reserve_in(database, **window) for _ in range(3)]
    async with database.session() as session:  # slot 2's reply came back late: it may have arrived 0.4 s late
        await pacing_store.settle_send_slot(session, grants[1].seq, grants[1].at + 1.4, depth=3)
        await pacing_store.settle_send_slot(session, grants[0].seq, grants[0].at + 0.5, depth=3)  # never earlier
    fourth, fifth = [await _reserve_in(database, **window) for _ in range(2)]
    assert fourth.at - grants[0].at == pytest.approx(1.0, abs=1e-3)
    assert fifth.at - grants[1].at == pytest.approx(1.4, abs=1e-3)
    async with database.session() as session:  # slot 1's ring place now holds slot 4: a stale settle is ignored
        await pacing_store.settle_send_slot(session, grants[0].seq, grants[0].at + 9.0, depth=3)
    sixth, seventh = [await _reserve_in(database, **window) for _ in range(2)]
    assert sixth.at - fifth.at == pytest.approx(0.1, abs=1e-3)
    assert seventh.at - fourth.at == pytest.approx(1.0, abs=1e-3)


@pytest.mark.parametrize("database", ["postgres"], indirect=True)
async def test_the_pacer_records_a_slow_round_trip_for_the_send_a_window_later(database: Database) -> None:
    pacer = SharedPacer(DeliverySettings(global_per_second=5), database)
    assert pacer.depth == 5
    for _ in range(3):  # quick round trips, each sent right on its slot, set the baseline
        grant = await pacer._take_slot()
        on_time = pacer.offset.to_local(grant.at)
        await pacer.settle(grant, on_time, on_time + 0.002)
    assert pacer.late_arrivals == 0
    slow = await pacer._take_slot()
    dispatched = pacer.offset.to_local(slow.at)
    await pacer.settle(slow, dispatched, dispatched + 0.302)
    assert pacer.late_arrivals == 1
    async with database.read_session() as session:
        clear_at = await session.scalar(
            select(pacing_store.SendWindow.clear_at).where(pacing_store.SendWindow.seq == slow.seq)
        )
    assert clear_at.timestamp() == pytest.approx(slow.at + 0.3 + 1.0, abs=0.001)
