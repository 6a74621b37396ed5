from sqlalchemy import inspect

from storage.db import Database


async def _tables(db: Database) -> set[str]:
    async with db.engine.connect() as conn:
        return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))


async def test_upgrade_creates_every_table_and_is_idempotent(database: Database) -> None:
    tables = await _tables(database)
    assert {"feeds", "items", "item_sources", "chats", "subscriptions", "outbox"} <= tables
    await database.upgrade()  # a second run on start must be a no-op, not an error
    assert await _tables(database) == tables
