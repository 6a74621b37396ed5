"""Cluster-wide locks on PostgreSQL (advisory locks); no-ops on SQLite, where one process runs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database

# Every advisory-lock key of Coopwatch, in one place so that no two uses share one by accident.
SCHEMA_LOCK_KEY = 0x636F6F71  # held while a process migrates the schema and syncs the configured feeds
INGEST_LOCK_KEY = 0x636F6F70  # feed stores take turns on it, so two feeds carrying one story can't both store it
DELIVERY_LOCK_KEY = 0x636F6F72  # outbox claims take turns on it (storage/outbox.py claim_due_paced)


async def lock_for_ingest(session: AsyncSession) -> None:
    """Make concurrent feed stores take turns until the caller commits. SQLite writers already take turns
    (storage.db); PostgreSQL uses a transaction-level advisory lock."""
    if session.bind.dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": INGEST_LOCK_KEY})


async def lock_for_delivery(session: AsyncSession) -> None:
    """Make outbox claims take turns until the caller commits (PostgreSQL; SQLite has one process)."""
    if session.bind.dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": DELIVERY_LOCK_KEY})


@asynccontextmanager
async def schema_lock(database: Database) -> AsyncIterator[None]:
    """Several workers starting at once migrate one after another instead of racing on the DDL."""
    if database.is_sqlite:
        yield
        return
    async with database.engine.connect() as connection:
        await connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": SCHEMA_LOCK_KEY})
        await connection.commit()
        try:
            yield
        finally:
            await connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": SCHEMA_LOCK_KEY})
            await connection.commit()
