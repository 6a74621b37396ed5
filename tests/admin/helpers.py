"""Small helpers for the admin tests: buttons of a sent message, and rows read back from storage."""

from __future__ import annotations

from sqlalchemy import select

from emulator import SentMessage
from storage.db import Database
from storage.models import AuditEntry, Subscription


def buttons(message: SentMessage) -> dict[str, str]:
    """callback_data -> button text."""
    rows = (message.reply_markup or {}).get("inline_keyboard", [])
    return {b["callback_data"]: b["text"] for row in rows for b in row if "callback_data" in b}


async def subscriptions_of(database: Database, chat_id: int) -> set[tuple[str | None, str | None]]:
    async with database.read_session() as session:
        rows = await session.scalars(select(Subscription).where(Subscription.chat_id == chat_id))
        return {(s.topic, s.country) for s in rows}


async def audit_actions(database: Database) -> list[tuple[str, str, int | None]]:
    async with database.read_session() as session:
        rows = await session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        return [(e.actor, e.action, e.chat_id) for e in rows]


def current(emulator, chat_id: int, message_id: int) -> SentMessage:  # noqa: ANN001 - the test Emulator
    """The bot's message as it is now, after any edits."""
    return next(m for m in emulator.sent_messages(chat_id) if m.message_id == message_id)
