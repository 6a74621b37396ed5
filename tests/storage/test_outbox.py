"""Outbox and chat storage on SQLite and PostgreSQL: claims, one row per chat, leases, migration, digests."""

from __future__ import annotations

from datetime import timedelta

from storage import chats as chat_store
from storage import outbox
from storage import pacing as pacing_store
from storage import subscriptions as sub_store
from storage.db import Database
from storage.models import utcnow
from tests.bot.conftest import store_item, subscribers


async def test_paced_claims_take_one_row_per_chat_and_skip_chats_in_flight_or_paced(database: Database) -> None:
    await subscribers(database, [1, 2, 3])
    await store_item(database, "First")
    await store_item(database, "Second")
    now, lease = utcnow(), timedelta(minutes=1)
    async with database.session() as session:
        first = await outbox.claim_due_paced(session, worker="a", now=now, lease=lease, limit=10)
    assert sorted(r.chat_id for r in first) == [1, 2, 3]  # one row per chat: each chat's most urgent
    assert len({r.item_id for r in first}) == 1 and all(r.claimed_by == "a" for r in first)
    async with database.session() as session:  # every chat has a row in flight: another worker waits
        assert await outbox.claim_due_paced(session, worker="b", now=now, lease=lease, limit=10) == []
        await outbox.mark_sent(session, next(r.id for r in first if r.chat_id == 1))
        await pacing_store.pace_chat(session, 1, timedelta(minutes=5))  # chat 1 was just sent to
        assert await outbox.release_claims(session, "a") == 2
    async with database.session() as session:
        again = await outbox.claim_due_paced(
            session, worker="b", now=now, lease=lease, limit=10, exclude_chats=frozenset({3})
        )
    assert [r.chat_id for r in again] == [2]  # chat 1 is paced, chat 3 excluded
    async with database.session() as session:  # an expired lease comes back; the paced chat stays out
        later = await outbox.claim_due_paced(session, worker="c", now=now + timedelta(minutes=2), lease=lease, limit=10)
    assert sorted(r.chat_id for r in later) == [2, 3]
    async with database.read_session() as session:
        counts = await outbox.count_by_status(session)
    assert counts == {"sent": 1, "pending": 5}


async def test_migration_moves_subscriptions_and_pending_rows(database: Database) -> None:
    await subscribers(database, [-5, -1005])
    async with database.session() as session:
        await sub_store.add_subscription(session, -5, topic="public_health", country="KZ")
    await store_item(database, "Story")
    async with database.session() as session:
        await chat_store.migrate_chat(session, -5, -1005)
    async with database.read_session() as session:
        subs = await sub_store.list_subscriptions(session, -1005)
        assert sorted((s.topic or "", s.country or "") for s in subs) == [
            ("emergency_response", ""),
            ("public_health", "KZ"),
        ]
        assert await sub_store.list_subscriptions(session, -5) == []
        assert not (await chat_store.get_chat(session, -5)).active
        rows = await outbox.claim_due_paced(session, worker="w", now=utcnow(), lease=timedelta(minutes=1), limit=10)
    assert [r.chat_id for r in rows] == [-1005]  # the duplicate alert was dropped, not sent twice


async def test_digest_chats_get_held_rows_and_deactivation_drops_them(database: Database) -> None:
    await subscribers(database, [7], mode="digest")
    await store_item(database, "Held story")
    async with database.session() as session:
        held = await outbox.list_held(session, 7)
        assert len(held) == 1 and held[0].kind == "digest_item"
        assert (
            await outbox.claim_due_paced(session, worker="w", now=utcnow(), lease=timedelta(minutes=1), limit=10) == []
        )
        assert await chat_store.deactivate_chat(session, 7) == 1
        assert await outbox.list_held(session, 7) == []


async def test_items_with_subscribers_agrees_with_the_per_item_match(database: Database) -> None:
    await subscribers(database, [11], topic="public_health", country="KZ")
    await subscribers(database, [12], topic=None, country="TJ")
    await subscribers(database, [13], topic="cbrn_safety")
    async with database.session() as session:
        await chat_store.deactivate_chat(session, 13)  # an inactive chat counts for nothing
    health_kz = await store_item(database, "Clinic", topics={"public_health": 0.8}, countries=("KZ",))
    health_uz = await store_item(database, "Clinic 2", topics={"public_health": 0.8}, countries=("UZ",))
    any_tj = await store_item(database, "Flood", topics={"emergency_response": 0.7}, countries=("TJ",))
    off_topic = await store_item(database, "Football", topics={}, countries=("TJ",))
    cbrn = await store_item(database, "Drill", topics={"cbrn_safety": 0.9}, countries=("KZ",))
    ids = [health_kz.id, health_uz.id, any_tj.id, off_topic.id, cbrn.id]
    async with database.read_session() as session:
        batch = await outbox.items_with_subscribers(session, ids)
        one_by_one = {i for i in ids if await outbox.list_matching_subscriptions(session, i)}
        assert await outbox.items_with_subscribers(session, []) == set()
    assert batch == one_by_one == {health_kz.id, any_tj.id}


async def test_a_row_is_marked_in_flight_only_by_its_holder_and_the_mark_outlives_a_crash(database: Database) -> None:
    await subscribers(database, [11, 12])
    await store_item(database, "Joint flood drill")
    now, lease = utcnow(), timedelta(minutes=1)
    async with database.session() as session:
        first, second = await outbox.claim_due_paced(session, worker="a", now=now, lease=lease, limit=10)
    async with database.session() as session:
        assert not await outbox.mark_sending(session, first.id, "b")  # not b's row: b must not send it
        assert await outbox.mark_sending(session, first.id, "a")
        assert await outbox.mark_sending(session, second.id, "a")
        await outbox.mark_sent(session, second.id)  # its answer came: the mark goes
    async with database.session() as session:
        assert await outbox.count_sending(session) == 1
        assert await outbox.release_claims(session, "a") == 1  # "a" restarts after a kill
    async with database.session() as session:  # the claim came back with its mark: in doubt
        [again] = await outbox.claim_due_paced(session, worker="a", now=now, lease=lease, limit=10)
    assert again.id == first.id and again.sending_at is not None
