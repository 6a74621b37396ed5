"""Group commit: units of work that arrive together share one transaction.

When many feeds finish at once, one transaction per feed costs more in commits and session set-up than
in the rows themselves (SQLite above all, where writers take turns). Each unit still gets its own result
or exception: if a shared transaction fails, its units are retried one transaction each, so one bad
unit never sinks the others. A unit must only touch the database: it may run twice.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database

T = TypeVar("T")
Work = Callable[[AsyncSession], Awaitable[Any]]


class GroupCommit:
    def __init__(self, database: Database, *, max_group: int = 16) -> None:
        self.database = database
        self.max_group = max_group
        self._queue: list[tuple[Work, asyncio.Future[Any]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def run(self, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """Run ``work`` in a transaction, shared with whatever else is waiting; returns its result."""
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._queue.append((work, future))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        while self._queue:
            group, self._queue = self._queue[: self.max_group], self._queue[self.max_group :]
            try:
                async with self.database.session() as session:
                    results = [await work(session) for work, _ in group]
            except Exception:  # noqa: BLE001 - sorted out below, unit by unit
                await self._one_by_one(group)
                continue
            for (_, future), result in zip(group, results, strict=True):
                if not future.cancelled():
                    future.set_result(result)

    async def _one_by_one(self, group: list[tuple[Work, asyncio.Future[Any]]]) -> None:
        for work, future in group:
            try:
                async with self.database.session() as session:
                    result = await work(session)
            except Exception as exc:  # noqa: BLE001 - handed to the unit's caller
                if not future.cancelled():
                    future.set_exception(exc)
            else:
                if not future.cancelled():
                    future.set_result(result)
