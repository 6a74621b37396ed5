"""The feedback part of /stats: per topic and per feed, alerts sent, "useful" and "not for me", and the
review queue's decisions."""

from __future__ import annotations

from collections import Counter

from handlers.runtime import Runtime
from presentation.i18n import t
from storage import feedback as feedback_store
from storage import feeds as feed_store


def _line(lang: str, name: str, figures: Counter[str]) -> str:
    return t(
        lang,
        "feedback.stats_line",
        name=name,
        sent=figures["sent"],
        useful=figures["useful"],
        not_for_me=figures["not_for_me"],
        review_sent=figures["review_sent"],
        review_not_relevant=figures["review_not_relevant"],
    )


async def feedback_stats_text(runtime: Runtime, lang: str) -> str:
    async with runtime.database.read_session() as session:
        topics = await feedback_store.stats_by_topic(session)
        feeds = await feedback_store.stats_by_feed(session)
        names = {f.id: f.display_name for f in await feed_store.list_feeds(session)}
    if not topics and not feeds:
        return t(lang, "feedback.stats_none")
    lines = [t(lang, "feedback.stats_topics")]
    lines += [_line(lang, runtime.topic_name(tp, lang), topics[tp]) for tp in sorted(topics)]
    lines.append(t(lang, "feedback.stats_feeds"))
    lines += [_line(lang, names.get(fid, f"#{fid}"), feeds[fid]) for fid in sorted(feeds)]
    return "\n".join(lines)
