"""One pacer for everything the bot sends: overall, per chat and per group limits, shared by command
replies and the outbox sender.

Replies take the next free overall slot at once; broadcast traffic reserves one slot at a time behind a
lock, so a reply waits at most one slot behind the fan-out. A 429 blocks only its own chat.
PTB's AIORateLimiter is not used: it has no per-chat limit and stops every send on one 429.

With several processes on PostgreSQL, ``SharedPacer`` takes the overall slots from the database instead
(storage/pacing.py), so the 30 msg/s budget holds across every worker and the bot process together;
per-chat spacing across processes comes from the outbox claim (one row per chat in flight, then
``chat_pacing``).
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
import warnings
from collections import deque
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from model.settings import DeliverySettings
from storage import pacing as pacing_store
from storage.db import Database
from storage.pacing import SlotGrant

log = logging.getLogger(__name__)

# Methods that post a new message count against Telegram's limits; edits and answers do not.
SEND_ENDPOINTS = frozenset(
    {
        "sendMessage",
        "sendDocument",
        "sendPhoto",
        "sendMediaGroup",
        "sendAnimation",
        "sendVideo",
        "sendAudio",
        "sendVoice",
        "sendSticker",
        "copyMessage",
        "forwardMessage",
        "sendLocation",
        "sendPoll",
    }
)


def retry_after_seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB 22 warns that the type becomes timedelta; both are handled
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def is_group_chat(chat_id: int | str) -> bool:
    """Groups, supergroups and channels have negative ids (or are addressed by @username)."""
    return not isinstance(chat_id, int) or chat_id < 0


class Pacer:
    def __init__(self, settings: DeliverySettings, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.interval = 1.0 / settings.global_per_second
        self.chat_interval = 1.0 / settings.per_chat_per_second
        self.group_interval = max(self.chat_interval, 60.0 / settings.per_group_per_minute)
        self._next_global = 0.0
        self._next_chat: dict[int | str, float] = {}
        self._blocked: dict[int | str, float] = {}
        self._broadcast = asyncio.Lock()

    def interval_for(self, chat_id: int | str) -> float:
        """Seconds between two messages to this chat (groups and channels: the per-minute limit)."""
        return self.group_interval if is_group_chat(chat_id) else self.chat_interval

    _interval_for = interval_for

    def ready_in(self, chat_id: int | str) -> float:
        """Seconds until this chat may receive another message (0: now)."""
        now = self.clock()
        return max(0.0, self._next_chat.get(chat_id, 0.0) - now, self._blocked.get(chat_id, 0.0) - now)

    def busy_chats(self) -> frozenset[int]:
        """Chats that may not receive a message now; forgets the ones whose wait is over."""
        now = self.clock()
        for table in (self._next_chat, self._blocked):
            for chat_id in [c for c, until in table.items() if until <= now]:
                del table[chat_id]
        return frozenset(c for c in (*self._next_chat, *self._blocked) if isinstance(c, int))

    def next_ready(self) -> float | None:
        """Seconds until the soonest busy chat frees up."""
        times = [*self._next_chat.values(), *self._blocked.values()]
        return max(0.0, min(times) - self.clock()) if times else None

    def block_chat(self, chat_id: int | str, seconds: float) -> None:
        until = self.clock() + seconds
        self._blocked[chat_id] = max(self._blocked.get(chat_id, 0.0), until)
        log.info("chat %s flood-limited for %.0f s", chat_id, seconds)

    async def acquire(self, chat_id: int | str, *, urgent: bool) -> SlotGrant | None:
        """Wait until one message to ``chat_id`` fits every limit, and count it.

        Returns the shared slot taken, if any, for ``settle`` once the send is answered."""
        while True:
            wait = self.ready_in(chat_id)
            if wait <= 0:
                break
            await asyncio.sleep(wait)
        self._next_chat[chat_id] = self.clock() + self._interval_for(chat_id)
        if urgent:
            return await self._take_slot()
        async with self._broadcast:
            return await self._take_slot()

    async def settle(self, grant: SlotGrant | None, dispatched: float, answered: float) -> None:
        """A send that took ``grant`` went out at ``dispatched`` and was answered at ``answered``."""
        return None

    async def _take_slot(self) -> SlotGrant | None:
        now = self.clock()
        slot = max(now, self._next_global)
        self._next_global = slot + self.interval
        if slot > now:
            await asyncio.sleep(slot - now)
        # A late wake-up must not squeeze the next send closer than one interval.
        self._next_global = max(self._next_global, self.clock() + self.interval)
        return None


# A send that wakes this much after its slot takes a fresh one: sending late could bunch it with the next
# slots (another worker's) inside one of Telegram's one-second windows.
MAX_LATE = 0.02
# Telegram's overall window, and how late past its slot a send may arrive before it holds a later one back.
WINDOW = timedelta(seconds=1)
SETTLE_SLACK = 0.003
# Shared slots are 3 % longer than 1 / limit: sends from several processes reach Telegram with some
# milliseconds of jitter, and at exactly the limit one late send then crowds a 1-second window (a 429).
SHARED_SLOT_MARGIN = 1.03


class ClockOffset:
    """The database clock minus this process's monotonic clock, estimated like NTP does.

    A value read from the database during a round trip [sent, received] was true at some moment inside
    it, so the offset is known to within half the round trip. The tightest recent sample wins; a sample
    is trusted for ``horizon`` seconds, since the two clocks may drift apart slowly.
    """

    def __init__(self, *, horizon: float = 10.0) -> None:
        self.horizon = horizon
        self._offset: float | None = None
        self._round_trip = math.inf
        self._taken_at = -math.inf

    @property
    def uncertainty(self) -> float:
        """Half the round trip of the sample in use: how far off a mapped time may be."""
        return self._round_trip / 2

    def add(self, sent: float, received: float, db_time: float) -> None:
        round_trip = max(0.0, received - sent)
        if round_trip <= self._round_trip or received - self._taken_at > self.horizon:
            self._offset = db_time - (sent + received) / 2
            self._round_trip = round_trip
            self._taken_at = received

    def to_database(self, local_time: float) -> float:
        return local_time + self._current()

    def to_local(self, db_time: float) -> float:
        return db_time - self._current()

    def _current(self) -> float:
        if self._offset is None:
            raise RuntimeError("no clock sample yet")
        return self._offset


class SharedPacer(Pacer):
    """A Pacer whose overall budget is a row in the database, shared by every process that sends.

    Slots are evenly spaced, and a send whose round trip ran slow also holds back the send one window
    (``limit`` slots) after it: see storage/pacing.py ``send_window``.
    """

    def __init__(
        self, settings: DeliverySettings, database: Database, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__(settings, clock=clock)
        self.database = database
        self.slot = timedelta(seconds=self.interval * SHARED_SLOT_MARGIN)
        self.depth = max(1, math.floor(settings.global_per_second))
        self.offset = ClockOffset()
        self.late_slots = 0
        self.late_arrivals = 0  # sends that may have arrived late enough to bound a later slot
        self._round_trips: deque[float] = deque(maxlen=256)

    async def _take_slot(self) -> SlotGrant:
        while True:
            async with self.database.session() as session:
                sent = self.clock()
                grant = await pacing_store.reserve_send_slot(session, self.slot, window=WINDOW, depth=self.depth)
                self.offset.add(sent, self.clock(), grant.db_now)
            # The slot's moment on this clock, not "now + its wait": the reservation may have queued
            # behind another worker's, and counting from before the queue would send early.
            target = self.offset.to_local(grant.at)
            delay = target - self.clock()
            if delay > 0:
                await asyncio.sleep(delay)
            if self.clock() - target <= MAX_LATE:
                return grant
            self.late_slots += 1  # the slot passes unused; the budget is never exceeded

    async def settle(self, grant: SlotGrant | None, dispatched: float, answered: float) -> None:
        if grant is None:
            return
        round_trip = max(0.0, answered - dispatched)
        self._round_trips.append(round_trip)
        # The message reached Telegram no later than the reply, less the quickest way back: past the
        # fastest round trip seen, any extra may have been spent on the way there.
        arrived_by = self.offset.to_database(dispatched) + round_trip - min(self._round_trips)
        if arrived_by - grant.at <= SETTLE_SLACK:
            return  # on time: the reservation already assumed this
        self.late_arrivals += 1
        try:
            async with self.database.session() as session:
                await pacing_store.settle_send_slot(
                    session, grant.seq, arrived_by + WINDOW.total_seconds(), depth=self.depth
                )
        except Exception:  # the message is out; a missed bound only loses this send's protection
            log.warning("could not record the late arrival of send slot %d", grant.seq, exc_info=True)


def make_pacer(settings: DeliverySettings, database: Database | None) -> Pacer:
    """The shared pacer on PostgreSQL (any number of processes), the in-process one on SQLite."""
    if database is not None and not database.is_sqlite:
        return SharedPacer(settings, database)
    return Pacer(settings)


class ClaimExpired(RuntimeError):
    """The outbox row waited for its slot so long that its lease may have passed to another worker."""


class PacedRateLimiter(BaseRateLimiter[dict[str, Any]]):
    """Routes every Bot API call of the Application through the shared Pacer.

    Calls made with ``rate_limit_args={"broadcast": True}`` (the outbox sender) queue behind replies.
    """

    def __init__(self, pacer: Pacer) -> None:
        self.pacer = pacer

    async def initialize(self) -> None:
        return None

    def _check(self, deadline: float | None, chat_key: int | str) -> None:
        if deadline is not None and self.pacer.clock() > deadline:
            raise ClaimExpired(f"the claim for a message to chat {chat_key} ran out before its send slot")

    async def shutdown(self) -> None:
        return None

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: dict[str, Any] | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        chat_id = data.get("chat_id")
        if endpoint not in SEND_ENDPOINTS or chat_id is None:
            return await callback(*args, **kwargs)
        chat_key: int | str = int(chat_id) if str(chat_id).lstrip("-").isdigit() else str(chat_id)
        broadcast = bool(rate_limit_args and rate_limit_args.get("broadcast"))
        deadline = rate_limit_args.get("deadline") if rate_limit_args else None
        self._check(deadline, chat_key)
        grant = await self.pacer.acquire(chat_key, urgent=not broadcast)
        self._check(deadline, chat_key)
        dispatched = self.pacer.clock()
        try:
            return await callback(*args, **kwargs)
        except RetryAfter as exc:
            self.pacer.block_chat(chat_key, retry_after_seconds(exc))
            raise
        finally:
            await self.pacer.settle(grant, dispatched, self.pacer.clock())
