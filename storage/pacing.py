"""Send pacing shared through the database, so several deliver workers keep Telegram's limits together.

Two small tables (migration 0003):
- ``send_slots``: one row per budget ("global") holding the next free send slot. A worker reserves a slot
  with one UPDATE (the row lock serialises reservations) and sleeps until it; slots are spaced by
  1 / global_per_second whatever the number of workers. Slots are on the database clock; each worker maps
  them onto its own clock, so workers on several machines need no clock agreement.
- ``chat_pacing``: the earliest time each chat may receive its next message, set when a send is recorded.
  The outbox claim (storage/outbox.py ``claim_due_paced``) skips chats that are paced or in flight.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import BigInteger, DateTime, Interval, String, bindparam, delete, func, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, utcnow

GLOBAL_BUDGET = "global"


class SendSlot(Base):
    __tablename__ = "send_slots"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    next_slot: Mapped[datetime]


class ChatPacing(Base):
    __tablename__ = "chat_pacing"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    next_at: Mapped[datetime] = mapped_column(index=True)


def _is_postgres(session: AsyncSession) -> bool:
    return session.bind.dialect.name == "postgresql"


def db_now(session: AsyncSession):  # noqa: ANN201 - a SQL expression or a datetime
    """The database's clock on PostgreSQL (one clock for every worker); this process's on SQLite."""
    if _is_postgres(session):
        return func.clock_timestamp().cast(DateTime(timezone=True))
    return utcnow()


@dataclass(frozen=True)
class SlotGrant:
    """A reserved send slot, on the database clock (seconds since the epoch)."""

    at: float
    db_now: float  # the database clock when the slot was granted, for the caller's clock offset


_RESERVE_SLOT = text(
    "INSERT INTO send_slots (name, next_slot) VALUES (:name, clock_timestamp() + :interval) "
    "ON CONFLICT (name) DO UPDATE "
    "SET next_slot = greatest(send_slots.next_slot, clock_timestamp()) + :interval "
    "RETURNING extract(epoch from send_slots.next_slot - :interval), extract(epoch from clock_timestamp())"
).bindparams(bindparam("interval", type_=Interval()), bindparam("name", type_=String()))


async def reserve_send_slot(session: AsyncSession, interval: timedelta, *, name: str = GLOBAL_BUDGET) -> SlotGrant:
    """Reserve the next free send slot of budget ``name``; slots are ``interval`` apart.

    The caller commits at once: the row stays locked until then, which is what serialises reservations.
    The grant stays in database time: a "seconds from now" would be off by however long the statement
    queued behind the row lock. The caller maps it onto its own clock (bot.pacing.ClockOffset).
    """
    if _is_postgres(session):
        row = (await session.execute(_RESERVE_SLOT, {"name": name, "interval": interval})).one()
        return SlotGrant(at=float(row[0]), db_now=float(row[1]))
    now = utcnow()
    slot_row = await session.get(SendSlot, name)
    if slot_row is None:
        session.add(SendSlot(name=name, next_slot=now + interval))
        await session.flush()
        return SlotGrant(at=now.timestamp(), db_now=now.timestamp())
    slot = max(slot_row.next_slot, now)
    slot_row.next_slot = slot + interval
    await session.flush()
    return SlotGrant(at=slot.timestamp(), db_now=now.timestamp())


async def pace_chat(session: AsyncSession, chat_id: int, after: timedelta) -> None:
    """The chat may receive its next message no sooner than ``after`` from now (never earlier than set)."""
    if _is_postgres(session):
        until = func.clock_timestamp() + bindparam("after", after, type_=Interval())
        stmt = pg_insert(ChatPacing).values(chat_id=chat_id, next_at=until)
        later = func.greatest(ChatPacing.next_at, stmt.excluded.next_at)
    else:  # SQLite has a two-argument max() instead of greatest()
        stmt = sqlite_insert(ChatPacing).values(chat_id=chat_id, next_at=utcnow() + after)
        later = func.max(ChatPacing.next_at, stmt.excluded.next_at)
    await session.execute(stmt.on_conflict_do_update(index_elements=["chat_id"], set_={"next_at": later}))


async def chat_next_at(session: AsyncSession, chat_id: int) -> datetime | None:
    return await session.scalar(select(ChatPacing.next_at).where(ChatPacing.chat_id == chat_id))


async def forget_old(session: AsyncSession, before: datetime) -> int:
    """Drop pacing rows that no longer restrict anything (housekeeping)."""
    result = await session.execute(delete(ChatPacing).where(ChatPacing.next_at < before))
    return int(result.rowcount or 0)
