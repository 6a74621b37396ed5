"""Real databases for tests and benchmarks: a fresh PostgreSQL database per caller, dropped afterwards."""

from __future__ import annotations

import os
import uuid

import asyncpg


class PostgresUnavailable(RuntimeError):
    """The PostgreSQL server of the tests (COOPWATCH_TEST_POSTGRES) does not answer."""


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
        raise PostgresUnavailable(f"{POSTGRES_ADMIN_DSN} is down")
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
