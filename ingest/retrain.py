"""What people taught, as training examples: the admins' review decisions, and "wrong topic" / "not news"
feedback once an admin confirmed it or ``quorum`` readers gave it; then the retrain off the event loop.

- review "sent" under topics T: an example labelled T;
- review "not relevant": an off-topic example (a hard negative);
- "not news": an off-topic hard negative; "wrong topic": an off-topic example (the item does not belong to
  the topics it was alerted under, which are all the topics it had).

A review decision outranks feedback on the same item.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from analysis.classifier import Example, example_text, load_examples
from analysis.config import AnalysisSettings, Topic
from analysis.retrain import RetrainOutcome, retrain_with
from storage import feedback as feedback_store
from storage import items as item_store
from storage import review as review_store
from storage.db import Database
from storage.models import Item

TEACHING_REASONS = ("wrong_topic", "not_news")


def _example(item: Item, topics: Sequence[str], *, hard_negative: bool) -> Example:
    lang = str((item.annotation or {}).get("language") or item.language or "")
    return Example(example_text(item.title, item.summary or ""), lang, tuple(topics), hard_negative)


async def collect_examples(database: Database, *, quorum: int) -> list[Example]:
    """The new examples, one per item, oldest decision or feedback first."""
    async with database.read_session() as session:
        decisions = await review_store.list_decisions(session)
        feedback = await feedback_store.list_feedback(session)
        reports: dict[int, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
        confirmed: dict[int, str] = {}
        for row in feedback:
            if row.verdict != "not_for_me" or row.reason not in TEACHING_REASONS:
                continue
            reports[row.item_id][row.reason].add(row.user_id)
            if row.confirmed:
                confirmed.setdefault(row.item_id, row.reason)
        decided = {item.id for item, _ in decisions}
        taught: dict[int, str] = {}
        for item_id, by_reason in reports.items():
            if item_id in decided:
                continue
            if item_id in confirmed:
                taught[item_id] = confirmed[item_id]
                continue
            # both reasons say "off-topic": readers count together; the commoner reason (a tie: "not news") wins
            if len(set().union(*by_reason.values())) >= quorum:
                taught[item_id] = max(by_reason, key=lambda r: (len(by_reason[r]), r == "not_news"))
        items = await item_store.get_items(session, taught)
    out = []
    for item, decision in sorted(decisions, key=lambda pair: (pair[1].decided_at, pair[0].id)):
        sent = decision.decision == "sent"
        out.append(_example(item, list(decision.topics or []) if sent else [], hard_negative=not sent))
    out += [_example(items[i], [], hard_negative=taught[i] == "not_news") for i in sorted(taught) if i in items]
    return out


async def retrain_from_teaching(
    database: Database,
    topics: Sequence[Topic],
    settings: AnalysisSettings,
    *,
    corpus_path: Path,
    out_path: Path,
    quorum: int,
    folds: int,
    force: bool = False,
) -> RetrainOutcome:
    """The shipped corpus plus the collected examples, trained in a thread (minutes of CPU on a real corpus)."""
    added = await collect_examples(database, quorum=quorum)
    return await asyncio.to_thread(_retrain, topics, settings, corpus_path, added, out_path, force, folds)


def _retrain(
    topics: Sequence[Topic],
    settings: AnalysisSettings,
    corpus_path: Path,
    added: list[Example],
    out_path: Path,
    force: bool,
    folds: int,
) -> RetrainOutcome:
    corpus = load_examples(corpus_path)
    return retrain_with(topics, settings, corpus, added, out_path, force=force, folds=folds)
