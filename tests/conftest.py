"""Shared fixtures: real databases (a SQLite file and a fresh PostgreSQL database) and the feed server."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest

from storage.db import Database

POSTGRES_ADMIN_DSN = os.environ.get("COOPWATCH_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
REQUIRE_POSTGRES = os.environ.get("COOPWATCH_REQUIRE_POSTGRES") == "1"


def _asyncpg_url(dsn: str, database: str) -> str:
    base = dsn.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
    return f"{base}/{database}"


async def _postgres_reachable() -> bool:
    try:
        conn = await asyncpg.connect(POSTGRES_ADMIN_DSN, timeout=3)
    except (OSError, asyncpg.PostgresError):
        return False
    await conn.close()
    return True


async def create_postgres_database() -> str:
    """Create a fresh, empty PostgreSQL database and return its SQLAlchemy URL.

    A database of its own per test keeps parallel runs and other developers' runs apart.
    """
    if not await _postgres_reachable():
        if REQUIRE_POSTGRES:
            pytest.fail(f"PostgreSQL is required (COOPWATCH_REQUIRE_POSTGRES=1) but {POSTGRES_ADMIN_DSN} is down")
        pytest.skip("PostgreSQL not reachable")
    name = f"coopwatch_t_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(POSTGRES_ADMIN_DSN)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return _asyncpg_url(POSTGRES_ADMIN_DSN, name)


async def drop_postgres_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = await asyncpg.connect(POSTGRES_ADMIN_DSN)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    url = await create_postgres_database()
    try:
        yield url
    finally:
        await drop_postgres_database(url)


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'coopwatch.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def database(request, tmp_path) -> AsyncIterator[Database]:
    """A migrated Database on a real SQLite file, then on a real PostgreSQL database."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'coopwatch.db'}"
    else:
        url = await create_postgres_database()
    db = Database(url)
    try:
        await db.upgrade()
        yield db
    finally:
        await db.aclose()
        if request.param == "postgres":
            await drop_postgres_database(url)


@pytest.fixture
async def sqlite_database(sqlite_url) -> AsyncIterator[Database]:
    db = Database(sqlite_url)
    await db.upgrade()
    try:
        yield db
    finally:
        await db.aclose()


@pytest.fixture(scope="session")
def feed_server():
    """A real HTTP feed server on 127.0.0.1 for the whole run (see testkit/feedserver.py)."""
    from testkit.feedserver import FeedServer

    with FeedServer() as server:
        yield server
