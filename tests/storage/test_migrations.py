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


async def test_the_models_and_the_migrations_agree(database: Database) -> None:
    # What autogenerate would write next: nothing, or a model change lacks its migration.
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    import storage.pacing  # noqa: F401 - its tables are part of the schema
    from storage.db import include_object
    from storage.models import Base

    def diff(connection) -> list:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "include_object": include_object})
        return compare_metadata(context, Base.metadata)

    async with database.engine.connect() as conn:
        assert await conn.run_sync(diff) == []
