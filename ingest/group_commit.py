"""Group commit: units of work that arrive together share one transaction, and can share its statements.

When many feeds finish at once, one transaction per feed costs more in commits and session set-up than
in the rows themselves (SQLite above all, where writers take turns). ``apply`` takes the whole group, so it
can also do one look-up and one insert for all units instead of a few per unit (``ingest.store``). Each
unit still gets its own result or exception: if a shared transaction fails, its units are retried one
transaction each (a group of one), so one bad unit never sinks the others. ``apply`` must only touch the
database: a unit may be applied twice.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database

U = TypeVar("U")
R = TypeVar("R")
Work = Callable[[AsyncSession], Awaitable[Any]]
Apply = Callable[[AsyncSession, Sequence[U]], Awaitable[Sequence[R]]]


async def run_each(session: AsyncSession, units: Sequence[Work]) -> list[Any]:
    """The default ``apply``: each unit is a function of the session, run in turn."""
    return [await work(session) for work in units]


class GroupCommit(Generic[U, R]):
    """Queue units; a writer task applies whatever is waiting (at most ``max_group``) in one transaction.

    With ``linger``, the writer waits up to that long after the oldest queued unit for more to join, unless
    the group is full or ``expected()`` (units that may still arrive; the caller calls ``wake()`` when that
    number drops) says none will. A few milliseconds of wait buy fewer, larger transactions.
    """

    def __init__(
        self,
        database: Database,
        apply: Apply[U, R] | None = None,
        *,
        max_group: int = 16,
        linger: float = 0.0,
        expected: Callable[[], int] | None = None,
    ) -> None:
        self.database = database
        self.apply: Apply[Any, Any] = apply or run_each
        self.max_group = max_group
        self.linger = linger
        self.expected = expected or (lambda: max_group)
        self._queue: list[tuple[U, asyncio.Future[R], float]] = []
        self._changed = asyncio.Event()
        self._writer: asyncio.Task[None] | None = None

    async def run(self, unit: U) -> R:
        """Apply ``unit`` in a transaction, shared with whatever else is waiting; returns its result."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[R] = loop.create_future()
        self._queue.append((unit, future, loop.time()))
        self._changed.set()
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._drain())
        return await future

    def wake(self) -> None:
        """Tell a lingering writer that ``expected()`` dropped."""
        self._changed.set()

    async def _drain(self) -> None:
        while self._queue:
            await self._linger()
            group, self._queue = self._queue[: self.max_group], self._queue[self.max_group :]
            try:
                async with self.database.session() as session:
                    results = await self.apply(session, [unit for unit, _, _ in group])
            except Exception:  # noqa: BLE001 - sorted out below, unit by unit
                await self._one_by_one(group)
                continue
            for (_, future, _), result in zip(group, results, strict=True):
                if not future.cancelled():
                    future.set_result(result)

    async def _linger(self) -> None:
        loop = asyncio.get_running_loop()
        deadline = self._queue[0][2] + self.linger
        while len(self._queue) < self.max_group and self.expected() > 0:
            wait = deadline - loop.time()
            if wait <= 0:
                return
            self._changed.clear()
            try:
                async with asyncio.timeout(wait):
                    await self._changed.wait()
            except TimeoutError:
                return

    async def _one_by_one(self, group: list[tuple[U, asyncio.Future[R], float]]) -> None:
        for unit, future, _ in group:
            try:
                async with self.database.session() as session:
                    [result] = await self.apply(session, [unit])
            except Exception as exc:  # noqa: BLE001 - handed to the unit's caller
                if not future.cancelled():
                    future.set_exception(exc)
            else:
                if not future.cancelled():
                    future.set_result(result)
