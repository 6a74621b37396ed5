"""Report rows ("spike", "weekly") in the outbox: the rendering that turns them into a photo plus text for the
sender. The hourly checks that queue them (delivery/spikes.py, delivery/weekly.py) run as jobs (bot/jobs.py).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

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
