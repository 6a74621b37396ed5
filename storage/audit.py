"""The audit log: every admin change, who made it and when, written in the change's own transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEntry, utcnow


def telegram_actor(user_id: int) -> str:
    return f"tg:{user_id}"


async def record(
    session: AsyncSession, actor: str, action: str, *, chat_id: int | None = None, **detail: Any
) -> AuditEntry:
    """Add one entry; the caller's scope commits it together with the change it describes."""
    entry = AuditEntry(at=utcnow(), actor=actor[:64], action=action[:32], chat_id=chat_id, detail=detail)
    session.add(entry)
    await session.flush()
    return entry


async def list_entries(session: AsyncSession, *, limit: int = 20, chat_id: int | None = None) -> list[AuditEntry]:
    """Newest first, optionally for one chat."""
    stmt = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if chat_id is not None:
        stmt = stmt.where(AuditEntry.chat_id == chat_id)
    return list((await session.scalars(stmt)).all())
