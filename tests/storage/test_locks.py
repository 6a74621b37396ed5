"""Advisory locks on PostgreSQL: each use has its own key."""

import asyncio
from datetime import timedelta

import pytest

from storage import outbox
from storage.db import Database
from storage.locks import DELIVERY_LOCK_KEY, INGEST_LOCK_KEY, lock_for_ingest
from storage.models import utcnow


@pytest.mark.postgres
async def test_an_outbox_claim_does_not_wait_for_a_feed_store(postgres_url: str) -> None:
    """Ingest and delivery take different advisory locks: a deliver worker's claim goes ahead while a poll
    worker holds its store transaction open."""
    database = Database(postgres_url)
    await database.upgrade()
    try:
        async with database.session() as storing:
            await lock_for_ingest(storing)
            async with database.session() as claiming:
                rows = await asyncio.wait_for(
                    outbox.claim_due_paced(claiming, worker="w", now=utcnow(), lease=timedelta(minutes=1), limit=10),
                    timeout=5,
                )
        assert rows == []
        assert INGEST_LOCK_KEY != DELIVERY_LOCK_KEY
    finally:
        await database.aclose()
