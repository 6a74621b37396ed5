"""Trend series and PNG, spike alerts and the weekly summary, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
from datetime import date, timedelta

from matplotlib.image import imread
from sqlalchemy import select

from bot.queries import cli_trends
from delivery.spikes import check_spike, poisson_tail, render_spike, run_spike_check
from delivery.weekly import render_weekly, run_weekly_summaries
from presentation.charts import build_trend_chart
from storage.db import Database
from storage.models import Chat, OutboxMessage, Subscription
from storage.trends import daily_counts
from tests.search.conftest import NOW, add_item

TODAY = NOW.date()


def _assert_png(data: bytes) -> None:
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    pixels = imread(io.BytesIO(data), format="png")
    assert pixels.shape[0] > 200 and pixels.shape[1] > 300
    assert pixels.std() > 0.01  # something is drawn, not a blank canvas


async def _per_day(db: Database, plan: dict[int, int], *, topic: str, country: str, title: str) -> None:
    """``plan`` maps days-ago to how many items to store that day."""
    async with db.session() as s:
        for ago, n in plan.items():
            for k in range(n):
                await add_item(
                    s,
                    f"{title} {ago}-{k}",
                    "text",
                    published=NOW - timedelta(days=ago, minutes=k),
                    topics=[topic],
                    countries=[country],
                    index=False,
                )


async def test_series_and_png(database: Database) -> None:
    await _per_day(database, {0: 2, 1: 1, 5: 3}, topic="disaster_risk", country="KZ", title="Flood")
    await _per_day(database, {0: 1, 40: 4}, topic="public_health", country="UZ", title="Vaccine")
    async with database.session() as s:
        by_topic = await daily_counts(s, group_by="topic", end=TODAY)
        by_country = await daily_counts(s, group_by="country", end=TODAY, days=7, topic="disaster_risk")
        series, png, title = await build_trend_chart(s, group_by="topic", end=TODAY, lang="ru")
    assert len(by_topic.days) == 30 and by_topic.days[-1] == TODAY
    assert by_topic.series["disaster_risk"][-1] == 2
    assert by_topic.series["disaster_risk"][-2] == 1
    assert by_topic.series["disaster_risk"][-6] == 3
    assert by_topic.total("disaster_risk") == 6
    assert by_topic.series["public_health"] == (0,) * 29 + (1,)  # the item 40 days ago is outside
    assert by_country.series == {"KZ": (0, 3, 0, 0, 0, 1, 2)}
    assert series == by_topic
    assert title.startswith("Материалов в день по темам")
    _assert_png(png)


async def test_cli_trends_writes_png(database: Database, tmp_path) -> None:
    await _per_day(database, {0: 1, 2: 2}, topic="cbrn_biosafety", country="TJ", title="Lab")
    out = tmp_path / "trend.png"
    assert await cli_trends(database.url, str(out), group_by="country", today=TODAY) == 0
    _assert_png(out.read_bytes())


def test_spike_rule() -> None:
    assert poisson_tail(0, 3.0) == 1.0
    assert abs(poisson_tail(1, 2.0) - (1 - 0.1353352832)) < 1e-9
    assert check_spike(12, [1] * 14)[0]
    assert not check_spike(4, [0] * 14)[0]  # below the minimum count
    assert not check_spike(6, [5, 6, 4, 5, 7, 5, 6, 5, 4, 6, 5, 5, 6, 5])[0]  # an ordinary day
    assert not check_spike(12, [0, 20] * 7)[0]  # bursty baseline: within mean + 3 sd


async def _chat(db: Database, chat_id: int, settings: dict, subs: list[tuple[str | None, str | None]]) -> None:
    async with db.session() as s:
        s.add(Chat(id=chat_id, type="private", language="en", settings=settings))
        await s.flush()
        s.add_all(Subscription(chat_id=chat_id, topic=t, country=c) for t, c in subs)


async def _outbox(db: Database, kind: str) -> list[OutboxMessage]:
    async with db.session() as s:
        return list((await s.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind))).all())


async def test_spike_fires_once_per_day(database: Database) -> None:
    baseline = {ago: 1 for ago in range(1, 15)}
    await _per_day(database, {**baseline, 0: 9}, topic="public_health", country="KG", title="<i>Measles</i> cases")
    await _chat(database, 1, {"spike_alerts": True}, [("public_health", None)])
    await _chat(database, 2, {"spike_alerts": True}, [("disaster_risk", None)])  # other topic
    await _chat(database, 3, {}, [("public_health", "KG")])  # not opted in
    await _chat(database, 4, {"spike_alerts": True}, [(None, "KG")])
    assert await run_spike_check(database, NOW) == 2
    assert await run_spike_check(database, NOW + timedelta(hours=3)) == 0  # same day: silent
    rows = await _outbox(database, "spike")
    assert sorted(r.chat_id for r in rows) == [1, 4]
    assert {r.dedupe_key for r in rows} == {f"spike:public_health:KG:{TODAY.isoformat()}"}
    payload = rows[0].payload
    assert payload["count"] == 9 and payload["mean"] == 1.0
    assert payload["counts"] == [1] * 14 + [9]
    assert len(payload["stories"]) == 3
    caption, png = render_spike(payload, "en")
    assert len(caption) <= 1024
    assert "&lt;i&gt;Measles" in caption and "Kyrgyzstan" in caption
    _assert_png(png)
    caption_ru, _ = render_spike(payload, "ru")
    assert "Кыргызстан" in caption_ru


async def test_flat_series_stays_silent(database: Database) -> None:
    await _per_day(database, {ago: 3 for ago in range(15)}, topic="disaster_risk", country="KZ", title="Drill")
    await _chat(database, 1, {"spike_alerts": True}, [(None, None)])
    assert await run_spike_check(database, NOW) == 0
    assert await _outbox(database, "spike") == []


async def test_weekly_summary(database: Database) -> None:
    await _per_day(database, {0: 2, 3: 1, 10: 5}, topic="disaster_risk", country="KZ", title="Mudflow")
    await _per_day(database, {1: 1}, topic="public_health", country="UZ", title="Vaccine")
    async with database.session() as s:
        await add_item(
            s,
            "Training in Almaty announced",
            topics=["disaster_risk"],
            countries=["KZ"],
            published=NOW - timedelta(days=1),
            events=[("training", "2025-06-20", None, "Almaty")],
        )
    await _chat(database, 7, {"weekly_summary": True}, [("disaster_risk", "KZ")])
    await _chat(database, 8, {"weekly_summary": False}, [(None, None)])
    assert await run_weekly_summaries(database, NOW) == 1
    assert await run_weekly_summaries(database, NOW - timedelta(days=2)) == 0  # same ISO week (Fri)
    assert await run_weekly_summaries(database, NOW + timedelta(days=1)) == 1  # Monday: a new week
    row = min(await _outbox(database, "weekly"), key=lambda r: r.id)
    assert row.chat_id == 7 and row.dedupe_key == "weekly:2025-W24"
    assert row.payload["counts"] == [{"topic": "disaster_risk", "country": "KZ", "count": 4}]
    assert all("Vaccine" not in s["title"] for s in row.payload["stories"])
    assert [e["location"] for e in row.payload["events"]] == ["Almaty"]
    assert set(row.payload["trend"]["series"]) == {"disaster_risk"}
    text, png = render_weekly(row.payload, "ru")
    assert "Риски бедствий · Казахстан: 4" in text
    assert "Тренинг" in text and "Almaty" in text
    assert len(text) <= 4096
    _assert_png(png)
    assert date.fromisoformat(row.payload["last"]) == TODAY
