"""The delivery outbox: one row per message owed to a chat.

Alert rows are written in the same transaction as the item they announce, so a crash loses neither.
Statuses: ``pending`` (the sender's), ``held`` (waiting for a chat's digest), ``sent``, ``digested``,
``failed`` (gave up), ``dropped`` (the chat went away). A sender claims rows with ``claimed_by`` and a lease
(``claimed_until``) so a crashed worker's rows come back, and marks each row sent right after its send.

In doubt: a sender sets ``sending_at`` just before its request and every outcome clears it. A claimed row that
comes back (a restart, or a lapsed lease) with ``sending_at`` still set was on its way when its worker died:
Telegram may have delivered it. Telegram has no idempotency key, so it cannot be known; the sender resends it
(delivery/sender.py), since a double is cheaper than a lost alert. A crash can thus double at most the rows
that one worker had in its send window (``delivery.in_flight``).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.locks import lock_for_delivery
from storage.models import Chat, Item, ItemCountry, ItemTopic, OutboxMessage, Subscription, utcnow
from storage.pacing import ChatPacing, db_now

PRIORITY_NOTICE = 5
PRIORITY_ALERT = 10
PRIORITY_DIGEST = 20


def _insert(session: AsyncSession):  # noqa: ANN202 - dialect-specific Insert
    return pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert


async def enqueue_message(
    session: AsyncSession,
    *,
    chat_id: int,
    kind: str,
    dedupe_key: str,
    payload: dict[str, Any] | None = None,
    item_id: int | None = None,
    thread_id: int | None = None,
    priority: int = PRIORITY_ALERT,
    not_before: datetime | None = None,
    status: str = "pending",
) -> bool:
    """Queue one message; returns False when (chat, dedupe_key) was already queued."""
    values: dict[str, Any] = {
        "chat_id": chat_id,
        "kind": kind,
        "dedupe_key": dedupe_key,
        "payload": payload or {},
        "item_id": item_id,
        "thread_id": thread_id,
        "priority": priority,
        "status": status,
    }
    if not_before is not None:
        values["not_before"] = not_before
    stmt = (
        _insert(session)(OutboxMessage)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["chat_id", "dedupe_key"])
    )
    result = await session.execute(stmt)
    return bool(result.rowcount)


def _fits(item_id: Any) -> Any:  # noqa: ANN401 - an item id or the outer query's Item.id; a SQL clause
    """A subscription's topic and country filters fit the item (off-topic items fit nothing).

    The look-ups name every outside table as correlated, so ``Item.id`` may come from a query two levels out.
    """
    has_topic = exists().where(ItemTopic.item_id == item_id).correlate_except(ItemTopic)
    same_topic = (
        exists().where(ItemTopic.item_id == item_id, ItemTopic.topic == Subscription.topic).correlate_except(ItemTopic)
    )
    same_country = (
        exists()
        .where(ItemCountry.item_id == item_id, ItemCountry.country == Subscription.country)
        .correlate_except(ItemCountry)
    )
    topic_fits = or_(and_(Subscription.topic.is_(None), has_topic), same_topic)
    return and_(topic_fits, or_(Subscription.country.is_(None), same_country))


async def list_matching_subscriptions(session: AsyncSession, item_id: int) -> list[Subscription]:
    """Subscriptions of active chats whose topic and country filters fit the item.

    An item with no topic (off-topic) fits nothing: it is stored and searchable, never pushed.
    """
    stmt = (
        select(Subscription)
        .join(Chat, Chat.id == Subscription.chat_id)
        .where(Chat.active.is_(True), _fits(item_id))
        .order_by(Subscription.chat_id, Subscription.id)
    )
    return list((await session.scalars(stmt)).all())


async def items_with_subscribers(session: AsyncSession, item_ids: Collection[int]) -> set[int]:
    """The items among ``item_ids`` that fit some active chat's subscription, in one query: a poll's
    batch of new items pays one round trip, and only the items that fit anyone are looked at further."""
    if not item_ids:
        return set()
    anyone = (
        select(Subscription.id)
        .join(Chat, Chat.id == Subscription.chat_id)
        .where(Chat.active.is_(True), _fits(Item.id))
        .exists()
    )
    stmt = select(Item.id).where(Item.id.in_(sorted(item_ids)), anyone)
    return set((await session.scalars(stmt)).all())


def _due(now: datetime, exclude_chats: frozenset[int]):  # noqa: ANN202 - SQL expression
    clauses = [
        OutboxMessage.status == "pending",
        OutboxMessage.not_before <= now,
        or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
    ]
    if exclude_chats:
        clauses.append(OutboxMessage.chat_id.not_in(sorted(exclude_chats)))
    return and_(*clauses)


async def claim_due_paced(
    session: AsyncSession,
    *,
    worker: str,
    now: datetime,
    lease: timedelta,
    limit: int,
    exclude_chats: frozenset[int] = frozenset(),
) -> list[OutboxMessage]:
    """The claim for senders that may run side by side: at most one row per chat in flight anywhere.

    It takes at most one due row per chat (its most urgent), most urgent chats first, so a chat with a long
    backlog never starves the others, and it skips chats with a row claimed by any worker (in flight) and chats
    whose ``chat_pacing.next_at`` lies ahead, so two workers never send to one chat closer than its
    interval. On PostgreSQL claims take turns behind a transaction-level advisory lock (taken in its own
    statement, so the SELECT's snapshot sees every claim committed before), and rows are read with
    ``FOR UPDATE SKIP LOCKED`` so a row that a sender is just recording is passed over, not waited for.
    """
    postgres = session.bind.dialect.name == "postgresql"
    await lock_for_delivery(session)
    # The chats to skip are few (rows in flight, chats sent to within their interval): read them first, by
    # index, instead of testing every pending row against them.
    in_flight = select(OutboxMessage.chat_id).where(
        OutboxMessage.claimed_by.is_not(None), OutboxMessage.claimed_until >= now, OutboxMessage.status == "pending"
    )
    paced = select(ChatPacing.chat_id).where(ChatPacing.next_at > db_now(session))
    skip = set((await session.scalars(in_flight)).all()) | set((await session.scalars(paced)).all())
    stmt = (
        select(OutboxMessage.id, OutboxMessage.chat_id)
        .where(_due(now, exclude_chats | frozenset(skip)))
        .order_by(OutboxMessage.priority, OutboxMessage.id)
        .limit(limit * 4)  # a chat with a backlog shows up several times; its first row is its most urgent
    )
    if postgres:
        stmt = stmt.with_for_update(skip_locked=True, of=OutboxMessage)
    chosen: dict[int, int] = {}
    for row_id, chat_id in (await session.execute(stmt)).all():
        if chat_id not in chosen:
            chosen[chat_id] = row_id
            if len(chosen) >= limit:
                break
    if not chosen:
        return []
    ids = list(chosen.values())
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids))
        .values(claimed_by=worker, claimed_until=now + lease)
        .execution_options(synchronize_session=False)
    )
    rows = await session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.id.in_(ids))
        .order_by(OutboxMessage.priority, OutboxMessage.id)
        .execution_options(populate_existing=True)
    )
    return list(rows.all())


async def mark_sent(
    session: AsyncSession, row_id: int, *, now: datetime | None = None, message_id: int | None = None
) -> None:
    """Record a delivery; ``message_id`` (Telegram's) lets a later edit row change the message."""
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id)
        .values(
            message_id=message_id,
            status="sent",
            sent_at=now or utcnow(),
            claimed_by=None,
            claimed_until=None,
            sending_at=None,
            attempts=OutboxMessage.attempts + 1,
        )
    )


async def reschedule(
    session: AsyncSession, row_id: int, *, not_before: datetime, error: str | None, count_attempt: bool = True
) -> None:
    """Give a claimed row back to the queue for a later try."""
    values: dict[str, Any] = {
        "status": "pending",
        "not_before": not_before,
        "claimed_by": None,
        "claimed_until": None,
        "sending_at": None,
        "last_error": error,
    }
    if count_attempt:
        values["attempts"] = OutboxMessage.attempts + 1
    await session.execute(update(OutboxMessage).where(OutboxMessage.id == row_id).values(**values))


async def mark_dropped(session: AsyncSession, row_id: int, *, reason: str) -> None:
    """A row that needs no sending any more (an edit of a message the chat deleted): not a failure."""
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id)
        .values(status="dropped", last_error=reason[:64], claimed_by=None, claimed_until=None, sending_at=None)
    )


async def mark_failed(session: AsyncSession, row_id: int, *, error: str) -> None:
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id)
        .values(
            status="failed",
            last_error=error[:64],
            claimed_by=None,
            claimed_until=None,
            sending_at=None,
            attempts=OutboxMessage.attempts + 1,
        )
    )


async def defer_chat(session: AsyncSession, chat_id: int, until: datetime) -> None:
    """Push every pending row of a chat past ``until`` (after a 429 for that chat)."""
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.chat_id == chat_id, OutboxMessage.status == "pending", OutboxMessage.not_before < until)
        .values(not_before=until)
    )


async def mark_sending(session: AsyncSession, row_id: int, worker: str, *, now: datetime | None = None) -> bool:
    """The request for this row starts now; False when ``worker`` no longer holds it (do not send then)."""
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id, OutboxMessage.claimed_by == worker, OutboxMessage.status == "pending")
        .values(sending_at=now or utcnow())
    )
    return bool(result.rowcount)


async def clear_sending(session: AsyncSession, row_id: int) -> None:
    """Telegram answered the request for this row with no outcome of its own (a chat migration moves it)."""
    await session.execute(update(OutboxMessage).where(OutboxMessage.id == row_id).values(sending_at=None))


async def release_row(session: AsyncSession, row_id: int, worker: str) -> bool:
    """Hand one row back unsent, if ``worker`` still holds it (a lapsed claim may be someone else's)."""
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id, OutboxMessage.claimed_by == worker, OutboxMessage.status == "pending")
        .values(claimed_by=None, claimed_until=None, sending_at=None)
    )
    return bool(result.rowcount)


async def release_claims(session: AsyncSession, worker: str) -> int:
    """Hand back rows a worker of this name claimed and never finished (after a crash or a stop).

    ``sending_at`` stays: a row that was mid-send is in doubt, and the sender that claims it next says so."""
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.claimed_by == worker, OutboxMessage.status == "pending")
        .values(claimed_by=None, claimed_until=None)
    )
    return int(result.rowcount or 0)


async def list_held(session: AsyncSession, chat_id: int) -> list[OutboxMessage]:
    """Alerts waiting for this chat's digest, oldest first."""
    stmt = (
        select(OutboxMessage)
        .where(OutboxMessage.chat_id == chat_id, OutboxMessage.status == "held")
        .order_by(OutboxMessage.id)
    )
    return list((await session.scalars(stmt)).all())


async def mark_digested(session: AsyncSession, row_ids: list[int], *, now: datetime | None = None) -> None:
    if row_ids:
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(row_ids))
            .values(status="digested", sent_at=now or utcnow())
        )


async def drop_held(session: AsyncSession, chat_id: int) -> int:
    """A chat leaving digest mode: its collected alerts are not replayed one by one."""
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.chat_id == chat_id, OutboxMessage.status == "held")
        .values(status="dropped", last_error="left_digest")
    )
    return int(result.rowcount or 0)


async def count_due(session: AsyncSession, now: datetime) -> int:
    """Pending rows whose time has come (claimed or not): work a sender still has to finish."""
    stmt = select(func.count()).where(OutboxMessage.status == "pending", OutboxMessage.not_before <= now)
    return int(await session.scalar(stmt) or 0)


async def count_sending(session: AsyncSession) -> int:
    """Pending rows marked mid-send: those a crash now would leave in doubt."""
    stmt = select(func.count()).where(OutboxMessage.status == "pending", OutboxMessage.sending_at.is_not(None))
    return int(await session.scalar(stmt) or 0)


async def count_by_status(session: AsyncSession) -> dict[str, int]:
    rows = await session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status))
    return {status: int(n) for status, n in rows.all()}


async def items_of_rows(session: AsyncSession, rows: list[OutboxMessage]) -> list[Item]:
    """The items behind alert rows, in the rows' order."""
    ids = [r.item_id for r in rows if r.item_id is not None]
    if not ids:
        return []
    found = {i.id: i for i in (await session.scalars(select(Item).where(Item.id.in_(ids)))).all()}
    return [found[i] for i in dict.fromkeys(ids) if i in found]


async def list_recent_alerts(session: AsyncSession, chat_id: int, since: datetime) -> list[OutboxMessage]:
    """Alert rows of a chat created since ``since`` (sent or still queued), oldest first."""
    stmt = (
        select(OutboxMessage)
        .where(
            OutboxMessage.chat_id == chat_id,
            OutboxMessage.item_id.is_not(None),
            OutboxMessage.created_at >= since,
            OutboxMessage.status.in_(("pending", "sent", "held")),
        )
        .order_by(OutboxMessage.id)
    )
    return list((await session.scalars(stmt)).all())
