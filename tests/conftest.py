"""Shared fixtures: real databases (a SQLite file and a fresh PostgreSQL database) and the feed server, over the
helpers in testkit/ that bench/ uses too."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from storage.db import Database
from testkit import databases
from testkit.feedserver import FeedServer
from testkit.skips import pytest_runtest_logreport, pytest_sessionfinish  # noqa: F401 - hooks: no silent skips


async def create_postgres_database() -> str:
    """A fresh PostgreSQL database (testkit/databases.py); skipped when the server is down, failed when
    COOPWATCH_REQUIRE_POSTGRES=1."""
    try:
        return await databases.create_postgres_database()
    except databases.PostgresUnavailable as exc:
        if databases.REQUIRE_POSTGRES:
            pytest.fail(f"PostgreSQL is required (COOPWATCH_REQUIRE_POSTGRES=1) but {exc}")
        pytest.skip(f"PostgreSQL not reachable ({exc}); COOPWATCH_REQUIRE_POSTGRES=1 makes this a failure")


drop_postgres_database = databases.drop_postgres_database


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked ``slow(seconds)`` first, the longest first, the others in their order: under pytest-xdist
    (the README's test command) a long test that started near the end would keep one worker busy alone."""

    def order(item: pytest.Item) -> float:
        slow = item.get_closest_marker("slow")
        return -slow.args[0] if slow else 0

    items.sort(key=order)  # stable: the order within each group stays the collection's


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

    with FeedServer() as server:
        yield server
