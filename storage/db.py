"""Engine, sessions and migrations. The only owner of connections."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

MIGRATIONS = Path(__file__).with_name("migrations")


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the bot read while the poller writes; foreign keys are off by default in SQLite.
    cursor = dbapi_connection.cursor()
    # Before the first table: the file can then shrink after deletes (storage/retention.py); no-op later.
    cursor.execute("PRAGMA auto_vacuum=INCREMENTAL")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    """An engine for ``url``; a SQLite file's folder is created and the file is opened in WAL mode."""
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, echo=echo)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(url, echo=echo, pool_size=10, max_overflow=10, pool_pre_ping=True)


class Database:
    """Engine plus session factory; ``session()`` is the unit of work that commits or rolls back.

    On SQLite, sessions of one process take turns: a WAL read transaction that later writes fails at once
    with SQLITE_BUSY instead of waiting, so serialising writers in-process is the reliable fix. Don't open
    a session inside another one. ``read_session()`` skips the turn for read-only work.
    """

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.engine = create_engine(url, echo=echo)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self._turn = asyncio.Lock() if is_sqlite(url) else None

    @property
    def is_sqlite(self) -> bool:
        return is_sqlite(self.url)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        if self._turn is None:
            async with self._unit_of_work() as session:
                yield session
            return
        async with self._turn, self._unit_of_work() as session:
            yield session

    @asynccontextmanager
    async def read_session(self) -> AsyncIterator[AsyncSession]:
        # Closing (not rolling back) ends the transaction without expiring what was loaded.
        async with self.sessions() as session:
            yield session

    @asynccontextmanager
    async def _unit_of_work(self) -> AsyncIterator[AsyncSession]:
        async with self.sessions() as session:
            try:
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()
                raise

    async def upgrade(self, revision: str = "head") -> None:
        await upgrade_database(self.engine, revision)

    async def aclose(self) -> None:
        await self.engine.dispose()


_HAND_MADE = {
    "table": ("items_fts", "item_days"),  # SQLite's FTS5 index, its shadow tables, the day -> id range map
    "column": ("tsv",),  # PostgreSQL's generated tsvector on item_search
    "index": ("ix_item_search_tsv",),  # and its GIN index
}


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Alembic's filter: what migration 0002 makes by hand for one backend is not the models' business."""
    return not (name or "").startswith(_HAND_MADE.get(type_, ()))


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


async def upgrade_database(engine: AsyncEngine, revision: str = "head") -> None:
    """Apply Alembic migrations up to ``revision`` over the engine's own connection."""

    def run(connection: Connection) -> None:
        command.upgrade(alembic_config(connection), revision)

    async with engine.begin() as connection:
        await connection.run_sync(run)
