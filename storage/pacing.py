"""Send pacing shared through the database, so several deliver workers keep Telegram's limits together.

Three small tables (migrations 0003 and 0004):
- ``send_slots``: one row per budget ("global") holding the next free send slot and a sequence number. A
  worker reserves a slot with one statement (the row lock serialises reservations) and sleeps until it;
  slots are spaced by 1 / global_per_second whatever the number of workers. Slots are on the database
  clock; each worker maps them onto its own clock, so workers on several machines need no clock agreement.
- ``send_window``: a ring with one row per position in the overall window (seq modulo the limit). Telegram
  counts a message when it arrives, which a sender cannot see; it knows only that the arrival was no later
  than the reply. A send whose round trip ran slow records how late it may have arrived, and the send
  ``limit`` places after it waits until a full window has passed since then. Even spacing alone would let
  one slow send crowd a window with the next ``limit`` on-time ones (a 429).
- ``chat_pacing``: the earliest time each chat may receive its next message, set when a send is recorded.
  The outbox claim (storage/outbox.py ``claim_due_paced``) skips chats that are paced or in flight.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import BigInteger, DateTime, Integer, Interval, String, bindparam, func, text, update
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
    seq: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


class SendWindow(Base):
    __tablename__ = "send_window"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    pos: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger)
    clear_at: Mapped[datetime]  # the send ``limit`` places after ``seq`` may not go before this


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
    seq: int  # the slot's number, to settle it once the send is answered


_RESERVE_SLOT = text(
    "WITH slot AS ("
    " INSERT INTO send_slots (name, next_slot, seq) VALUES (:name, clock_timestamp() + :interval, 1)"
    " ON CONFLICT (name) DO UPDATE SET seq = send_slots.seq + 1, next_slot = greatest("
    "  send_slots.next_slot, clock_timestamp(),"
    "  (SELECT w.clear_at FROM send_window w"
    "   WHERE w.name = send_slots.name AND w.pos = (send_slots.seq + 1) % :depth)"
    " ) + :interval"
    " RETURNING seq, next_slot - :interval AS at"
    "), ring AS ("
    " INSERT INTO send_window (name, pos, seq, clear_at) SELECT :name, seq % :depth, seq, at + :window FROM slot"
    " ON CONFLICT (name, pos) DO UPDATE SET seq = excluded.seq, clear_at = excluded.clear_at"
    ") SELECT seq, extract(epoch from at), extract(epoch from clock_timestamp()) FROM slot"
).bindparams(
    bindparam("interval", type_=Interval()),
    bindparam("window", type_=Interval()),
    bindparam("name", type_=String()),
    bindparam("depth", type_=Integer()),
)


async def reserve_send_slot(
    session: AsyncSession,
    interval: timedelta,
    *,
    window: timedelta = timedelta(seconds=1),
    depth: int = 30,
    name: str = GLOBAL_BUDGET,
) -> SlotGrant:
    """Reserve the next free send slot of budget ``name``: ``interval`` after the last one, and no sooner
    than ``window`` after the send ``depth`` places back may have arrived (see ``settle_send_slot``).

    The caller commits at once: the row stays locked until then, which is what serialises reservations.
    The grant stays in database time: a "seconds from now" would be off by however long the statement
    queued behind the row lock. The caller maps it onto its own clock (delivery.pacing.ClockOffset).
    """
    if _is_postgres(session):
        params = {"name": name, "interval": interval, "window": window, "depth": depth}
        row = (await session.execute(_RESERVE_SLOT, params)).one()
        return SlotGrant(at=float(row[1]), db_now=float(row[2]), seq=int(row[0]))
    now = utcnow()
    slot_row = await session.get(SendSlot, name)
    if slot_row is None:
        slot_row = SendSlot(name=name, next_slot=now, seq=0)
        session.add(slot_row)
    seq = slot_row.seq + 1
    ring = await session.get(SendWindow, (name, seq % depth))
    slot = max(slot_row.next_slot, now, ring.clear_at if ring is not None else now)
    slot_row.seq, slot_row.next_slot = seq, slot + interval
    if ring is None:
        session.add(SendWindow(name=name, pos=seq % depth, seq=seq, clear_at=slot + window))
    else:
        ring.seq, ring.clear_at = seq, slot + window
    await session.flush()
    return SlotGrant(at=slot.timestamp(), db_now=now.timestamp(), seq=seq)


async def settle_send_slot(
    session: AsyncSession,
    seq: int,
    clear_at: float,
    *,
    depth: int = 30,
    name: str = GLOBAL_BUDGET,
) -> None:
    """The send ``depth`` places after slot ``seq`` may not go before ``clear_at`` (database epoch seconds).

    Moves the bound only later, and only while the ring still holds that slot.
    """
    moment = bindparam("moment", datetime.fromtimestamp(clear_at, UTC), type_=SendWindow.clear_at.type)
    await session.execute(
        update(SendWindow)
        .where(SendWindow.name == name, SendWindow.pos == seq % depth, SendWindow.seq == seq)
        .values(clear_at=_later(session, SendWindow.clear_at, moment))
    )


def _later(session: AsyncSession, a: Any, b: Any) -> Any:  # noqa: ANN401 - SQL expressions
    """The later of two times: greatest() on PostgreSQL, SQLite's two-argument max()."""
    return func.greatest(a, b) if _is_postgres(session) else func.max(a, b)


async def pace_chat(session: AsyncSession, chat_id: int, after: timedelta) -> None:
    """The chat may receive its next message no sooner than ``after`` from now (never earlier than set)."""
    if _is_postgres(session):
        until = func.clock_timestamp() + bindparam("after", after, type_=Interval())
        stmt = pg_insert(ChatPacing).values(chat_id=chat_id, next_at=until)
    else:
        stmt = sqlite_insert(ChatPacing).values(chat_id=chat_id, next_at=utcnow() + after)
    later = _later(session, ChatPacing.next_at, stmt.excluded.next_at)
    await session.execute(stmt.on_conflict_do_update(index_elements=["chat_id"], set_={"next_at": later}))
