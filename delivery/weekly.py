"""The weekly summary: per opted-in chat (settings["weekly_summary"] is True), counts per subscription,
top stories, upcoming events and a trend picture. Queued as one "weekly" outbox row per chat per ISO week;
delivery turns the payload into a photo and a message with ``render_weekly``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from presentation.charts import TopicNamer, day_label, render_lines_png, topic_label
from presentation.i18n import Safe, catalogue, t
from presentation.names import country_name
from storage.db import Database
from storage.events import list_events
from storage.models import Subscription
from storage.outbox import PRIORITY_DIGEST, enqueue_message
from storage.trends import count_items, daily_counts, list_opted_in, top_stories

WEEK_DAYS = 7
TREND_DAYS = 28
MESSAGE_LIMIT = 4096


def week_key(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


async def build_weekly_payload(session: AsyncSession, subs: list[Subscription], today: date) -> dict[str, Any]:
    """Everything the weekly message shows, as JSON-able values (rendered later in the chat's language)."""
    first, last = today - timedelta(days=WEEK_DAYS - 1), today
    pairs = sorted({(s.topic, s.country) for s in subs}, key=lambda p: (p[0] or "", p[1] or ""))
    counts = []
    for topic, country in pairs:
        n = await count_items(session, first=first, last=last, topic=topic, country=country)
        counts.append({"topic": topic, "country": country, "count": n})
    any_topic = any(topic is None for topic, _ in pairs)
    topics = None if any_topic else sorted({topic for topic, _ in pairs if topic})
    any_country = any(country is None for _, country in pairs)
    countries = None if any_country else sorted({country for _, country in pairs if country})
    stories = await top_stories(session, first=first, last=last, topics=topics or [], countries=countries, limit=5)
    events = []
    for event in (await list_events(session, today=today, limit=50)).events:
        if topics and not set(topics) & set(event.topics):
            continue
        if countries and not set(countries) & set(event.countries):
            continue
        events.append(
            {
                "kind": event.kind,
                "start": event.start.isoformat(),
                "end": event.end.isoformat(),
                "location": event.location,
                "title": event.title,
                "url": event.url,
            }
        )
        if len(events) == 5:
            break
    trend = await daily_counts(session, group_by="topic", end=today, days=TREND_DAYS, top=None)
    series = {k: list(v) for k, v in trend.series.items() if not topics or k in topics}
    return {
        "week": week_key(today),
        "first": first.isoformat(),
        "last": last.isoformat(),
        "counts": counts,
        "stories": [s.to_json() for s in stories],
        "events": events,
        "trend": {"days": [d.isoformat() for d in trend.days], "series": series},
    }


async def run_weekly_summaries(database: Database, now: datetime) -> int:
    """Queue this ISO week's summary for every opted-in chat with subscriptions; returns rows queued.

    Safe to call as often as the scheduler likes: the dedupe key ``weekly:<year>-W<week>`` allows one.
    """
    today = now.date()
    queued = 0
    async with database.session() as session:
        for chat_id, subs in (await list_opted_in(session, "weekly_summary")).items():
            if not subs:
                continue
            payload = await build_weekly_payload(session, subs, today)
            queued += await enqueue_message(
                session,
                chat_id=chat_id,
                kind="weekly",
                dedupe_key=f"weekly:{payload['week']}",
                payload=payload,
                thread_id=subs[0].thread_id,
                priority=PRIORITY_DIGEST,
            )
    return queued


def _dates(start: str, end: str, lang: str) -> str:
    first, last = date.fromisoformat(start), date.fromisoformat(end)
    return day_label(first, lang) if first == last else f"{day_label(first, lang)} – {day_label(last, lang)}"


def render_weekly(payload: dict[str, Any], lang: str, topic_name: TopicNamer | None = None) -> tuple[str, bytes]:
    """(message HTML of at most 4096 characters, trend PNG) for a "weekly" outbox row.

    Send the PNG with sendPhoto and the caption t(lang, "weekly.caption"), then the text with sendMessage.
    """
    first, last = date.fromisoformat(payload["first"]), date.fromisoformat(payload["last"])
    lines = [t(lang, "weekly.header", first=day_label(first, lang), last=day_label(last, lang))]
    if not any(c["count"] for c in payload["counts"]) and not payload["stories"]:
        lines.append(t(lang, "weekly.nothing"))
    else:
        lines.append(t(lang, "weekly.counts"))
        for row in payload["counts"]:
            name = topic_label(row["topic"], lang, topic_name) if row["topic"] else t(lang, "weekly.any_topic")
            if row["country"]:
                name = f"{name} · {country_name(row['country'], lang)}"
            lines.append(t(lang, "weekly.count_line", name=name, count=row["count"]))
    if payload["stories"]:
        lines.append(t(lang, "weekly.stories"))
        for story in payload["stories"]:
            key = "weekly.story" if story.get("url") else "weekly.story_nolink"
            lines.append(t(lang, key, title=story["title"], url=story.get("url") or "", source=story["source"]))
    if payload["events"]:
        lines.append(t(lang, "weekly.events"))
        for event in payload["events"]:
            key = "weekly.event" if event.get("url") else "weekly.event_nolink"
            kind_key = f"events.kind.{event['kind']}"
            kind = catalogue().text(lang, kind_key) if catalogue().has(lang, kind_key) else event["kind"]
            lines.append(
                t(
                    lang,
                    key,
                    kind=kind,
                    dates=_dates(event["start"], event["end"], lang),
                    place=event.get("location") or "—",
                    title=event["title"],
                    url=event.get("url") or "",
                )
            )
    text = ""
    for line in lines:  # drop the tail rather than break markup in the middle of a line
        if len(text) + len(line) + 1 > MESSAGE_LIMIT:
            break
        text = f"{text}\n{line}" if text else line
    trend = payload["trend"]
    png = render_lines_png(
        [date.fromisoformat(d) for d in trend["days"]],
        trend["series"],
        title=t(lang, "weekly.chart_title", days=Safe(str(len(trend["days"])))),
        y_label=t(lang, "trends.y_label"),
        lang=lang,
        label=lambda key: topic_label(key, lang, topic_name),
    )
    return text, png
