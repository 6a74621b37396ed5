"""Queries behind the admins' view of chats: a filtered, searchable page of chats, and one chat's card
(subscriptions with their recent alerts, last delivery, last error), plus removing a chat."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import audit
from storage import chats as chat_store
from storage import subscriptions as sub_store
from storage.models import Chat, ItemCountry, ItemTopic, OutboxMessage, Subscription

CHAT_FILTERS = ("all", "private", "group", "channel", "en", "ru", "active", "inactive", "nosubs")


@dataclass(frozen=True)
class ChatPage:
    chats: list[Chat]
    total: int


@dataclass(frozen=True)
class SubscriptionUse:
    subscription: Subscription
    sent_recently: int  # alerts sent under it since the card's ``since``


@dataclass(frozen=True)
class ChatCard:
    chat: Chat
    subscriptions: list[SubscriptionUse]
    last_delivery: datetime | None
    last_error: str | None


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _filtered(kind: str, search: str | None):  # noqa: ANN202 - a Select
    if kind not in CHAT_FILTERS:
        raise ValueError(f"unknown chat filter {kind!r}")
    stmt = select(Chat)
    if kind == "private":
        stmt = stmt.where(Chat.type == "private")
    elif kind == "group":
        stmt = stmt.where(Chat.type.in_(("group", "supergroup")))
    elif kind == "channel":
        stmt = stmt.where(Chat.type == "channel")
    elif kind in ("en", "ru"):
        stmt = stmt.where(Chat.language == kind)
    elif kind == "active":
        stmt = stmt.where(Chat.active.is_(True))
    elif kind == "inactive":
        stmt = stmt.where(Chat.active.is_(False))
    elif kind == "nosubs":
        stmt = stmt.where(~exists().where(Subscription.chat_id == Chat.id))
    if search:
        pattern = f"%{_escape_like(search.lower().lstrip('@'))}%"
        stmt = stmt.where(
            or_(func.lower(Chat.title).like(pattern, escape="\\"), func.lower(Chat.username).like(pattern, escape="\\"))
        )
    return stmt


async def page_chats(
    session: AsyncSession, *, kind: str = "all", search: str | None = None, offset: int = 0, limit: int = 8
) -> ChatPage:
    """One page of chats by id under a filter (CHAT_FILTERS) and an optional title/@username search."""
    stmt = _filtered(kind, search)
    total = int(await session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
    chats = list((await session.scalars(stmt.order_by(Chat.id).offset(offset).limit(limit))).all())
    return ChatPage(chats, total)


def _fits(sub: Subscription, thread_id: int | None, topics: set[str], countries: set[str]) -> bool:
    if sub.thread_id != thread_id:
        return False
    if sub.topic is not None and sub.topic not in topics:
        return False
    return sub.country is None or sub.country in countries


async def get_card(session: AsyncSession, chat_id: int, *, since: datetime) -> ChatCard | None:
    chat = await session.get(Chat, chat_id)
    if chat is None:
        return None
    subs = list(
        await session.scalars(select(Subscription).where(Subscription.chat_id == chat_id).order_by(Subscription.id))
    )
    sent = (
        await session.execute(
            select(OutboxMessage.item_id, OutboxMessage.thread_id).where(
                OutboxMessage.chat_id == chat_id,
                OutboxMessage.kind == "alert",
                OutboxMessage.status == "sent",
                OutboxMessage.sent_at >= since,
                OutboxMessage.item_id.is_not(None),
            )
        )
    ).all()
    item_ids = sorted({item_id for item_id, _ in sent})
    topics: dict[int, set[str]] = {}
    countries: dict[int, set[str]] = {}
    if item_ids:
        for item_id, topic in await session.execute(
            select(ItemTopic.item_id, ItemTopic.topic).where(ItemTopic.item_id.in_(item_ids))
        ):
            topics.setdefault(item_id, set()).add(topic)
        for item_id, country in await session.execute(
            select(ItemCountry.item_id, ItemCountry.country).where(ItemCountry.item_id.in_(item_ids))
        ):
            countries.setdefault(item_id, set()).add(country)
    uses = [
        SubscriptionUse(
            sub,
            sum(1 for i, th in sent if _fits(sub, th, topics.get(i, set()), countries.get(i, set()))),
        )
        for sub in subs
    ]
    last_delivery = await session.scalar(
        select(func.max(OutboxMessage.sent_at)).where(OutboxMessage.chat_id == chat_id, OutboxMessage.status == "sent")
    )
    last_error = await session.scalar(
        select(OutboxMessage.last_error)
        .where(OutboxMessage.chat_id == chat_id, OutboxMessage.status.in_(("failed", "dropped")))
        .order_by(OutboxMessage.id.desc())
        .limit(1)
    )
    return ChatCard(chat, uses, last_delivery, last_error)


async def remove_chat(session: AsyncSession, chat_id: int) -> bool:
    """Delete the chat with its subscriptions and outbox rows; it comes back as new if it writes again."""
    await session.execute(delete(Subscription).where(Subscription.chat_id == chat_id))
    await session.execute(delete(OutboxMessage).where(OutboxMessage.chat_id == chat_id))
    result = await session.execute(delete(Chat).where(Chat.id == chat_id))
    return bool(result.rowcount)


__all__: Sequence[str] = (
    "CHAT_FILTERS",
    "ChatCard",
    "ChatPage",
    "SubscriptionUse",
    "get_card",
    "page_chats",
    "remove_chat",
)


# Audited changes: the change and its audit entry in the caller's one transaction (CLI and Telegram alike).


async def add_subscriptions(
    session: AsyncSession, actor: str, chat_id: int, topic: str | None, countries: Sequence[str | None]
) -> int:
    """Add (topic, country) filters to a chat; returns how many were new. LookupError for an unknown chat."""
    if await session.get(Chat, chat_id) is None:
        raise LookupError(f"chat {chat_id} is not known")
    added = 0
    for country in countries or [None]:
        added += await sub_store.add_subscription(session, chat_id, topic=topic, country=country)
    await audit.record(session, actor, "sub_add", chat_id=chat_id, topic=topic, countries=list(countries), added=added)
    return added


async def remove_subscription(
    session: AsyncSession, actor: str, chat_id: int, subscription_id: int
) -> Subscription | None:
    """Remove one of this chat's filters (another chat's id removes nothing); returns what was removed."""
    sub = await session.get(Subscription, subscription_id)
    if sub is None or sub.chat_id != chat_id:
        return None
    await session.delete(sub)
    await audit.record(session, actor, "sub_remove", chat_id=chat_id, topic=sub.topic, country=sub.country)
    await session.flush()
    return sub


async def remove_matching(
    session: AsyncSession, actor: str, chat_id: int, topic: str | None, countries: Sequence[str | None]
) -> int:
    """Remove the chat's filters exactly matching (topic, country) for each country (None: every country)."""
    removed = 0
    for country in countries or [None]:
        stmt = delete(Subscription).where(Subscription.chat_id == chat_id)
        stmt = stmt.where(Subscription.topic.is_(None) if topic is None else Subscription.topic == topic)
        if country is not None or countries:
            stmt = stmt.where(Subscription.country.is_(None) if country is None else Subscription.country == country)
        removed += int((await session.execute(stmt)).rowcount or 0)
    await audit.record(
        session, actor, "sub_remove", chat_id=chat_id, topic=topic, countries=list(countries), removed=removed
    )
    return removed


async def set_mode(session: AsyncSession, actor: str, chat_id: int, mode: str) -> None:
    if mode not in ("instant", "digest"):
        raise ValueError(f"unknown mode {mode!r}")
    await chat_store.update_settings(session, chat_id, mode=mode)
    await audit.record(session, actor, "chat_mode", chat_id=chat_id, mode=mode)


async def set_paused(session: AsyncSession, actor: str, chat_id: int, paused: bool) -> None:
    await chat_store.update_settings(session, chat_id, paused=paused)
    await audit.record(session, actor, "chat_pause" if paused else "chat_resume", chat_id=chat_id)


async def remove_chat_audited(session: AsyncSession, actor: str, chat_id: int) -> bool:
    chat = await session.get(Chat, chat_id)
    if chat is None:
        return False
    title = chat.title or chat.username
    await remove_chat(session, chat_id)
    await audit.record(session, actor, "chat_remove", chat_id=chat_id, title=title)
    return True
