"""Cluster-wide locks on PostgreSQL (advisory locks); no-ops on SQLite, where one process runs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text

from storage.db import Database

SCHEMA_LOCK_KEY = 0x636F6F71  # held while a process migrates the schema and syncs the configured feeds


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
