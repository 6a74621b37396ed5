"""Report rows ("spike", "weekly") in the outbox: the rendering that turns them into a photo plus text, and the
send. The hourly checks that queue them (delivery/spikes.py, delivery/weekly.py) run as jobs (bot/jobs.py).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from telegram import Bot

from delivery.spikes import render_spike
from delivery.weekly import render_weekly
from presentation.charts import TopicNamer
from presentation.i18n import t

log = logging.getLogger(__name__)

REPORT_KINDS = frozenset({"spike", "weekly"})


@dataclass(frozen=True)
class Report:
    """What the sender sends for a report row: ``photo`` with ``caption``, then ``text`` if any."""

    caption: str
    photo: bytes
    text: str | None = None


def render_report(kind: str, payload: dict[str, Any], lang: str, topic_name: TopicNamer | None = None) -> Report:
    """The photo and texts of a "spike" or "weekly" outbox row in ``lang``; ValueError for other kinds."""
    if kind == "spike":
        caption, png = render_spike(payload, lang, topic_name=topic_name)
        return Report(caption=caption, photo=png)
    if kind == "weekly":
        text, png = render_weekly(payload, lang, topic_name)
        return Report(caption=t(lang, "weekly.caption"), photo=png, text=text)
    raise ValueError(f"not a report kind: {kind!r}")


async def render_report_async(
    kind: str, payload: dict[str, Any], lang: str, topic_name: TopicNamer | None = None
) -> Report | None:
    """render_report off the event loop (matplotlib takes a moment); None, logged, when the payload is bad."""
    try:
        return await asyncio.to_thread(render_report, kind, payload, lang, topic_name)
    except (KeyError, TypeError, ValueError):
        log.exception("cannot render a %s outbox row", kind)
        return None


async def send_report(bot: Bot, message: Any) -> None:
    """Send a rendered report row (delivery.sender.Outgoing): the photo, then the follow-up text if any.

    Both calls go through the bot's rate limiter, so photos are paced like messages. If the text fails
    after the photo went out, the row is retried whole and the photo is sent again."""
    limits = {"broadcast": True, "deadline": message.deadline}
    await bot.send_photo(
        chat_id=message.chat_id,
        photo=message.photo,
        caption=message.text,
        message_thread_id=message.thread_id,
        rate_limit_args=limits,
    )
    if message.follow_up:
        await bot.send_message(
            chat_id=message.chat_id,
            text=message.follow_up,
            message_thread_id=message.thread_id,
            rate_limit_args=limits,
        )
