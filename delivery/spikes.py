"""Spike alerts: a topic x country with far more stories today than its trailing 14-day baseline.

A day is a spike when today's count is at least MIN_COUNT, is improbable under a Poisson law with the
baseline mean (tail below ALPHA), and is above mean + 3 sd (guards against naturally bursty series).
Opted-in chats (settings["spike_alerts"] is True) whose subscriptions cover the topic and country get one
outbox row per topic x country per day; the dedupe key makes every later check that day a no-op.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from presentation.charts import TopicNamer, render_lines_png, topic_label
from presentation.i18n import Safe, t
from presentation.names import country_name
from storage.db import Database
from storage.models import Subscription
from storage.outbox import PRIORITY_ALERT, enqueue_message
from storage.trends import day_range, list_opted_in, top_stories, topic_country_counts

BASELINE_DAYS = 14
MIN_COUNT = 5
ALPHA = 1e-3
MIN_RATE = 0.5  # a silent baseline still expects some noise
CAPTION_LIMIT = 1024  # Telegram's limit for a photo caption


@dataclass(frozen=True)
class Spike:
    topic: str
    country: str
    day: date
    count: int
    baseline: tuple[int, ...]
    mean: float
    p_value: float


def poisson_tail(k: int, rate: float) -> float:
    """P(X >= k) for X ~ Poisson(rate)."""
    if k <= 0:
        return 1.0
    term = math.exp(-rate)
    below = term
    for i in range(1, k):
        term *= rate / i
        below += term
    return max(0.0, 1.0 - below)


def check_spike(count: int, baseline: Sequence[int]) -> tuple[bool, float]:
    """(is a spike, Poisson tail probability) for today's ``count`` against the baseline days."""
    mean = sum(baseline) / len(baseline) if baseline else 0.0
    sd = math.sqrt(sum((x - mean) ** 2 for x in baseline) / len(baseline)) if baseline else 0.0
    p = poisson_tail(count, max(mean, MIN_RATE))
    return count >= MIN_COUNT and p < ALPHA and count > mean + 3 * sd, p


async def find_spikes(session: AsyncSession, today: date) -> list[Spike]:
    counts = await topic_country_counts(session, end=today, days=BASELINE_DAYS + 1)
    spikes = []
    for (topic, country), series in sorted(counts.items()):
        baseline, count = tuple(series[:-1]), series[-1]
        fired, p = check_spike(count, baseline)
        if fired:
            spikes.append(Spike(topic, country, today, count, baseline, sum(baseline) / len(baseline), p))
    return spikes


def _covers(sub: Subscription, topic: str, country: str) -> bool:
    return sub.topic in (None, topic) and sub.country in (None, country)


async def spike_payload(session: AsyncSession, spike: Spike) -> dict[str, Any]:
    stories = await top_stories(
        session, first=spike.day, last=spike.day, topics=[spike.topic], countries=[spike.country], limit=3
    )
    days = day_range(spike.day, BASELINE_DAYS + 1)
    return {
        "topic": spike.topic,
        "country": spike.country,
        "day": spike.day.isoformat(),
        "count": spike.count,
        "mean": round(spike.mean, 2),
        "p_value": spike.p_value,
        "days": [d.isoformat() for d in days],
        "counts": [*spike.baseline, spike.count],
        "stories": [s.to_json() for s in stories],
    }


async def run_spike_check(database: Database, now: datetime) -> int:
    """Find today's spikes and queue one alert per covered, opted-in chat; returns rows queued."""
    today = now.date()
    queued = 0
    async with database.session() as session:
        targets = await list_opted_in(session, "spike_alerts")
        if not targets:
            return 0
        for spike in await find_spikes(session, today):
            payload: dict[str, Any] | None = None
            for chat_id, subs in targets.items():
                sub = next((s for s in subs if _covers(s, spike.topic, spike.country)), None)
                if sub is None:
                    continue
                payload = payload or await spike_payload(session, spike)
                queued += await enqueue_message(
                    session,
                    chat_id=chat_id,
                    kind="spike",
                    dedupe_key=f"spike:{spike.topic}:{spike.country}:{today.isoformat()}",
                    payload=payload,
                    thread_id=sub.thread_id,
                    priority=PRIORITY_ALERT,
                )
    return queued


def render_spike(payload: dict[str, Any], lang: str, topic_name: TopicNamer | None = None) -> tuple[str, bytes]:
    """(caption HTML of at most 1024 characters, PNG of the last 15 days) for a "spike" outbox row."""
    topic = topic_label(payload["topic"], lang, topic_name)
    country = country_name(payload["country"], lang)
    head = t(lang, "spike.caption", topic=topic, country=country, count=payload["count"], mean=payload["mean"])
    lines = [head]
    stories = payload.get("stories") or []
    if stories:
        lines.append(t(lang, "spike.stories"))
    for story in stories:
        title = story["title"] if len(story["title"]) <= 120 else story["title"][:119] + "…"
        key = "spike.story" if story.get("url") else "spike.story_nolink"
        line = t(lang, key, title=title, url=story.get("url") or "", source=story["source"])
        if len("\n".join([*lines, line])) > CAPTION_LIMIT:
            break
        lines.append(line)
    days = [date.fromisoformat(d) for d in payload["days"]]
    png = render_lines_png(
        days,
        {payload["topic"]: payload["counts"]},
        title=t(lang, "spike.chart_title", topic=Safe(topic), country=Safe(country)),
        y_label=t(lang, "trends.y_label"),
        lang=lang,
        label=lambda _key: topic,
        highlight_last=True,
    )
    return "\n".join(lines), png
