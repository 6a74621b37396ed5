"""The loop closes: review decisions and confirmed or repeated feedback become training examples; /retrain
(admins only) and ``topics retrain`` report cross-validated figures and refuse a worse model unless forced.

A small corpus (the 176 older examples) and 3 folds keep each retrain near twenty seconds."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from analysis import AnalysisSettings, Annotator, ItemText
from analysis.classifier import load_examples
from analysis.config import DEFAULT_EXAMPLES_PATH
from bot.bootstrap import retrained_classifier_path
from bot.cli import main
from ingest.retrain import collect_examples
from ingest.review import decide_and_deliver
from storage import feedback as feedback_store
from storage.db import Database
from storage.models import AuditEntry
from tests.admin.helpers import store_review_item
from tests.bot.conftest import ADMIN, Harness, store_item

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "analysis" / "data" / "classifier.npz"
STRANGER = 700555
GROUP = -100777
TAUGHT = [  # rescue-flavoured stories that are not news for Coopwatch
    ("Rescue dogs show at the city dog festival in Bishkek", "Owners presented trained rescue dogs to visitors."),
    ("Firefighters calendar photo shoot raises money for charity", "Firemen posed for a calendar sold in shops."),
]
CHOIR = "Ministry of Emergency Situations choir gives a concert"  # not relevant, said an admin in /review


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    path = tmp_path / "corpus.jsonl"
    shutil.copy(DEFAULT_EXAMPLES_PATH / "old_examples.jsonl", path)
    return path


@pytest.fixture
def bot_tables(corpus: Path) -> dict[str, Any]:
    return {"analysis": {"examples_path": str(corpus)}, "review": {"retrain_folds": 3}}


def _topics(weights: Path, title: str, summary: str) -> list[str]:
    return _annotate(weights, title, summary).topics


def _score(weights: Path, title: str, summary: str) -> float:
    return _annotate(weights, title, summary).scores["emergency_response"]


def _annotate(weights: Path, title: str, summary: str):  # noqa: ANN202
    annotator = Annotator.load(_settings_topics(), AnalysisSettings(classifier_path=str(weights)))
    return annotator.annotate(ItemText(title, summary, "en", None))


def _settings_topics():  # noqa: ANN202
    from analysis import load_topics_file

    return load_topics_file()


@pytest.mark.slow(70)
async def test_retrain_takes_in_review_decisions_and_feedback_and_changes_predictions(harness: Harness) -> None:
    h = harness
    h.emulator.add_user(ADMIN, "Admin")
    out = retrained_classifier_path(h.runtime.settings)
    baseline = await h.runtime.retrain(False)  # nothing taught yet: the corpus alone
    assert baseline.added == 0 and baseline.accepted and out.is_file()
    shutil.copy(out, out.with_name("baseline.npz"))
    review_summary = "Officials met to discuss the next steps. More to follow."
    for title, summary in TAUGHT:
        assert "emergency_response" in _topics(out, title, summary)
    assert "emergency_response" in _topics(out, CHOIR, review_summary)

    dogs = await store_item(h.database, TAUGHT[0][0], summary=TAUGHT[0][1])
    calendar = await store_item(h.database, TAUGHT[1][0], summary=TAUGHT[1][1])
    once = await store_item(h.database, "Rescue teams evacuate 300 after a landslide", summary="Shelters opened.")
    other = await store_item(h.database, "Rescuers pull a driver from a river", summary="He is in hospital.")
    choir = await store_review_item(h.database, CHOIR, {"emergency_response": 0.45})
    async with h.database.session() as session:
        for user in (5001, 5002):  # two readers of one group: "not news"
            await feedback_store.record(
                session, item_id=dogs.id, user_id=user, chat_id=GROUP, verdict="not_for_me", reason="not_news"
            )
        await feedback_store.record(  # one voice, confirmed by an admin: "wrong topic"
            session,
            item_id=calendar.id,
            user_id=ADMIN,
            chat_id=ADMIN,
            verdict="not_for_me",
            reason="wrong_topic",
            confirmed=True,
        )
        # below the quorum, or a reason that teaches nothing about topics: not taken in
        await feedback_store.record(
            session, item_id=once.id, user_id=5001, chat_id=GROUP, verdict="not_for_me", reason="not_news"
        )
        for user in (5001, 5002):
            await feedback_store.record(
                session, item_id=other.id, user_id=user, chat_id=GROUP, verdict="not_for_me", reason="wrong_country"
            )
        await decide_and_deliver(session, choir.id, "not_relevant", [], ADMIN)
    taught = await collect_examples(h.database, quorum=2)
    assert sorted(e.text.split(".")[0] for e in taught) == sorted([CHOIR, TAUGHT[0][0], TAUGHT[1][0]])
    assert all(e.topics == () for e in taught)

    started, report = await h.say(ADMIN, "/retrain", expect=2, timeout=180)
    assert "Retraining" in started.text
    assert "Retrained" in report.text and "3 new example(s)" in report.text, report.text
    assert "176 → 179" in report.text and "macro-F1" in report.text
    assert "Emergency" in report.text  # one line per topic, by its name
    for title, summary in TAUGHT:
        assert "emergency_response" not in _topics(out, title, summary)
    before, after = _score(out.with_name("baseline.npz"), CHOIR, review_summary), _score(out, CHOIR, review_summary)
    assert after < before - 0.05, (before, after)  # the admin's "not relevant" pulled it down
    # an untaught story keeps its topic
    assert "emergency_response" in _topics(out, "Rescue teams evacuate 300 after a landslide", "Shelters opened.")
    async with h.database.read_session() as session:
        actions = [(e.actor, e.action) for e in await session.scalars(select(AuditEntry))]
    assert (f"tg:{ADMIN}", "retrain") in actions


async def test_retrain_is_refused_for_a_non_admin(harness: Harness) -> None:
    h = harness
    h.emulator.add_user(STRANGER, "Stranger")
    [answer] = await h.say(STRANGER, "/retrain")
    assert "Coopwatch admins" in answer.text or "admin" in answer.text.lower()
    assert not retrained_classifier_path(h.runtime.settings).exists()
    assert not h.runtime.retrain_lock.locked()


def _config(tmp_path: Path, corpus: Path) -> Path:
    text = (ROOT / "config.toml").read_text(encoding="utf-8")
    text = text.replace("[analysis]\n", f'[analysis]\nexamples_path = "{corpus}"\n', 1)
    path = tmp_path / "config.toml"
    path.write_text(text + "\n[review]\nretrain_folds = 3\n", encoding="utf-8")
    return path


async def _contradict_the_corpus(url: str, corpus: Path) -> None:
    """Admin-confirmed "not news" on sixty stories the corpus labels on-topic: labels that fight each other."""
    db = Database(url)
    await db.upgrade()
    try:
        positives = [ex for ex in load_examples(corpus) if ex.topics][:60]
        for n, ex in enumerate(positives):
            item = await store_item(db, ex.text, summary="", feed_url="https://noise.example.org/rss")
            async with db.session() as session:
                await feedback_store.record(
                    session,
                    item_id=item.id,
                    user_id=9000 + n,
                    chat_id=9000 + n,
                    verdict="not_for_me",
                    reason="not_news",
                    confirmed=True,
                )
    finally:
        await db.aclose()


@pytest.mark.slow(50)
def test_a_worse_model_is_refused_and_the_old_one_stays_unless_forced(
    tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import asyncio

    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("COOPWATCH_DATABASE_URL", url)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    asyncio.run(_contradict_the_corpus(url, corpus))
    weights = tmp_path / "classifier.npz"  # beside the database
    shutil.copy(SHIPPED, weights)
    old = weights.read_bytes()
    config = _config(tmp_path, corpus)

    assert main(["--config", str(config), "topics", "retrain"]) == 1
    out, err = capsys.readouterr()
    assert "60 examples from review decisions and feedback" in out
    assert "macro-F1" in out and "emergency_response" in out and "176     236" in out
    assert "refused" in err and "--force" in err
    assert weights.read_bytes() == old  # the old model stays

    assert main(["--config", str(config), "topics", "retrain", "--force"]) == 0
    out, _ = capsys.readouterr()
    assert f"weights written to {weights}" in out
    assert weights.read_bytes() != old


async def test_what_counts_as_taught(sqlite_database: Database) -> None:
    db = sqlite_database
    mixed = await store_item(db, "Two readers, two reasons", summary="Both say off-topic.")
    lone = await store_item(db, "One reader only", summary="Not enough.")
    both = await store_review_item(db, "Decided and reported", {"public_health": 0.4})
    sent = await store_review_item(db, "Sent under a changed topic", {"public_health": 0.4})
    async with db.session() as session:
        for user, reason in ((1, "wrong_topic"), (2, "not_news")):
            await feedback_store.record(
                session, item_id=mixed.id, user_id=user, chat_id=GROUP, verdict="not_for_me", reason=reason
            )
        await feedback_store.record(
            session, item_id=lone.id, user_id=1, chat_id=GROUP, verdict="not_for_me", reason="not_news"
        )
        await decide_and_deliver(session, both.id, "not_relevant", [], ADMIN)
        await decide_and_deliver(session, sent.id, "sent", ["disaster_risk"], ADMIN)
    async with db.session() as session:
        for user in (1, 2):  # feedback after the decision: the decision still wins, one example per item
            await feedback_store.record(
                session, item_id=both.id, user_id=user, chat_id=GROUP, verdict="not_for_me", reason="wrong_topic"
            )
    taught = {e.text.split(".")[0]: (e.topics, e.hard_negative) for e in await collect_examples(db, quorum=2)}
    assert taught == {
        "Decided and reported": ((), True),
        "Sent under a changed topic": (("disaster_risk",), False),
        "Two readers, two reasons": ((), True),  # a tie: "not news", the stronger reason
    }
    assert "One reader only" in {
        e.text.split(".")[0] for e in await collect_examples(db, quorum=1)
    }  # a quorum of one takes it
