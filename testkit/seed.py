"""Seeding and reading the database for the scale tests and bench/scale.py (through storage/, as the workers do)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from storage import chats as chat_store
from storage import feeds as feed_store
from storage.db import Database
from storage.models import OutboxMessage, utcnow
from storage.outbox import enqueue_message


def chat_ids(private: int, groups: int) -> list[int]:
    return [700_000 + i for i in range(private)] + [-100_900_000 - i for i in range(groups)]


async def seed_outbox(database: Database, chats: list[int], per_chat: int) -> dict[int, str]:
    """``per_chat`` notice rows for each chat, interleaved like a fan-out; returns row id -> text."""
    async with database.session() as session:
        for chat_id in chats:
            await chat_store.upsert_chat(
                session, chat_id=chat_id, type="private" if chat_id > 0 else "supergroup", language="en"
            )
    texts: dict[int, str] = {}
    for round_ in range(per_chat):
        async with database.session() as session:
            for chat_id in chats:
                text = f"scale row {round_} for chat {chat_id}"
                await enqueue_message(
                    session, chat_id=chat_id, kind="notice", dedupe_key=f"scale:{round_}", payload={"text": text}
                )
    async with database.read_session() as session:
        for row_id, payload in (await session.execute(select(OutboxMessage.id, OutboxMessage.payload))).all():
            texts[row_id] = payload["text"]
    return texts


async def count_sent(database: Database) -> int:
    async with database.read_session() as session:
        return int(await session.scalar(select(func.count()).where(OutboxMessage.status == "sent")) or 0)


async def pending_claimed_by(database: Database, worker: str) -> int:
    async with database.read_session() as session:
        stmt = select(func.count()).where(OutboxMessage.claimed_by == worker, OutboxMessage.status == "pending")
        return int(await session.scalar(stmt) or 0)


async def seed_feeds(database: Database, urls: list[str], interval: timedelta) -> None:
    async with database.session() as session:
        now = utcnow()
        for url in urls:
            await feed_store.add_feed(session, url, interval=interval, now=now)
