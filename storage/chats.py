"""Chat rows: where the bot is, in which language, with which delivery settings.

Per-chat settings live in ``chats.settings`` (JSON) and are read through ``ChatSettings``, a frozen value
with defaults, so a row written by an older version still reads cleanly.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from model.chats import ChatSettings
from storage.models import Chat, OutboxMessage, Subscription, utcnow


def chat_settings(chat: Chat) -> ChatSettings:
    return ChatSettings.from_json(chat.settings)


async def get_chat(session: AsyncSession, chat_id: int) -> Chat | None:
    return await session.get(Chat, chat_id)


async def get_chats(session: AsyncSession, chat_ids: Collection[int]) -> dict[int, Chat]:
    """The chats among ``chat_ids`` that exist, by id."""
    if not chat_ids:
        return {}
    return {c.id: c for c in (await session.scalars(select(Chat).where(Chat.id.in_(sorted(chat_ids))))).all()}


async def upsert_chat(
    session: AsyncSession,
    *,
    chat_id: int,
    type: str,  # noqa: A002 - Telegram's field name
    title: str | None = None,
    username: str | None = None,
    language: str | None = None,
    active: bool = True,
) -> tuple[Chat, bool]:
    """Create or refresh a chat row; returns (chat, created). A known chat keeps its chosen language."""
    chat = await session.get(Chat, chat_id)
    created = chat is None
    if chat is None:
        chat = Chat(id=chat_id, type=type, language=language or "en", settings={}, active=active)
        session.add(chat)
    chat.type = type
    chat.title = title if title is not None else chat.title
    chat.username = username if username is not None else chat.username
    if active and not chat.active:
        chat.active = True
        chat.deactivated_at = None
    elif not active and chat.active:
        chat.active = False
        chat.deactivated_at = utcnow()
    await session.flush()
    return chat, created


async def set_language(session: AsyncSession, chat_id: int, language: str) -> None:
    await session.execute(update(Chat).where(Chat.id == chat_id).values(language=language))


async def save_settings(session: AsyncSession, chat_id: int, settings: ChatSettings) -> None:
    await session.execute(update(Chat).where(Chat.id == chat_id).values(settings=settings.to_json()))


async def update_settings(session: AsyncSession, chat_id: int, **changes: Any) -> ChatSettings:
    chat = await session.get(Chat, chat_id)
    if chat is None:
        raise LookupError(f"chat {chat_id} is not known")
    new = replace(chat_settings(chat), **changes)
    chat.settings = new.to_json()
    await session.flush()
    return new


async def deactivate_chat(session: AsyncSession, chat_id: int, *, now: datetime | None = None) -> int:
    """Mark the chat inactive and drop what it was still owed; returns dropped outbox rows."""
    await session.execute(
        update(Chat)
        .where(Chat.id == chat_id, Chat.active.is_(True))
        .values(active=False, deactivated_at=now or utcnow())
    )
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.chat_id == chat_id, OutboxMessage.status.in_(("pending", "held")))
        .values(status="dropped", last_error="chat_inactive", claimed_by=None, claimed_until=None)
    )
    return int(result.rowcount or 0)


async def migrate_chat(session: AsyncSession, old_id: int, new_id: int) -> Chat:
    """A group became a supergroup: carry its row, subscriptions and pending messages to the new id."""
    old = await session.get(Chat, old_id)
    if old is None:
        raise LookupError(f"chat {old_id} is not known")
    new = await session.get(Chat, new_id)
    if new is None:
        new = Chat(
            id=new_id,
            type="supergroup",
            title=old.title,
            username=old.username,
            language=old.language,
            settings=dict(old.settings or {}),
            active=True,
        )
        session.add(new)
        await session.flush()
    have = {
        (s.topic, s.country, s.thread_id)
        for s in (await session.scalars(select(Subscription).where(Subscription.chat_id == new_id))).all()
    }
    for sub in (await session.scalars(select(Subscription).where(Subscription.chat_id == old_id))).all():
        if (sub.topic, sub.country, sub.thread_id) in have:
            await session.delete(sub)
        else:
            sub.chat_id = new_id
    keys = set((await session.scalars(select(OutboxMessage.dedupe_key).where(OutboxMessage.chat_id == new_id))).all())
    pending = await session.scalars(
        select(OutboxMessage).where(OutboxMessage.chat_id == old_id, OutboxMessage.status.in_(("pending", "held")))
    )
    for row in pending.all():
        if row.dedupe_key in keys:
            row.status = "dropped"
            row.last_error = "migrated_duplicate"
        else:
            row.chat_id = new_id
            row.claimed_by = None
            row.claimed_until = None
    old.active = False
    old.deactivated_at = utcnow()
    await session.flush()
    return new


async def list_chats(session: AsyncSession, *, active_only: bool = False, limit: int | None = None) -> list[Chat]:
    stmt = select(Chat).order_by(Chat.id)
    if active_only:
        stmt = stmt.where(Chat.active.is_(True))
    if limit is not None:
        stmt = stmt.limit(limit)
    return list((await session.scalars(stmt)).all())


async def list_digest_chats(session: AsyncSession) -> list[Chat]:
    return [c for c in await list_chats(session, active_only=True) if chat_settings(c).mode == "digest"]


async def count_chats_by_type(session: AsyncSession) -> dict[tuple[str, bool], int]:
    rows = await session.execute(select(Chat.type, Chat.active, func.count()).group_by(Chat.type, Chat.active))
    return {(t, bool(a)): int(n) for t, a, n in rows.all()}


__all__: Sequence[str] = (
    "chat_settings",
    "count_chats_by_type",
    "deactivate_chat",
    "get_chat",
    "get_chats",
    "list_chats",
    "list_digest_chats",
    "migrate_chat",
    "save_settings",
    "set_language",
    "update_settings",
    "upsert_chat",
)
