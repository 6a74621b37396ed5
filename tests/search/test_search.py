"""Search on the real SQLite file and the real PostgreSQL: stems, query language, filters, ranking, safety."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select, update

from bot.queries import cli_search
from storage.db import Database
from storage.models import Item
from storage.search import SearchQueryError, index_items, search_items
from tests.search.conftest import NOW, add_item


async def _titles(db: Database, query: str, **kw) -> list[str]:
    async with db.session() as session:
        page = await search_items(session, query, now=NOW, **kw)
    return [r.title for r in page.results]


async def test_russian_inflections_match(database: Database) -> None:
    async with database.session() as s:
        await add_item(
            s, "Последствия наводнения в Алматинской области", "Спасатели эвакуировали жителей.", language="ru"
        )
        await add_item(s, "Учения по сейсмической безопасности", "Тренировка спасателей.", language="ru")
    assert await _titles(database, "наводнение") == ["Последствия наводнения в Алматинской области"]
    assert await _titles(database, "НАВОДНЕНИЙ") == ["Последствия наводнения в Алматинской области"]
    assert set(await _titles(database, "спасатель")) == {
        "Последствия наводнения в Алматинской области",
        "Учения по сейсмической безопасности",
    }


async def test_english_inflections_match(database: Database) -> None:
    async with database.session() as s:
        await add_item(s, "Earthquake drill in Dushanbe", "Rescuers trained for a strong earthquake.")
        await add_item(s, "Vaccines delivered", "A shipment of vaccines arrived.")
    assert await _titles(database, "earthquakes") == ["Earthquake drill in Dushanbe"]
    assert await _titles(database, "vaccine arrive") == ["Vaccines delivered"]
    assert await _titles(database, "tsunami") == []


async def test_phrase_or_and_exclusion(database: Database) -> None:
    async with database.session() as s:
        await add_item(s, "Early warning system for mudflows", "Sensors give warning early.")
        await add_item(s, "Warning issued early", "An early warning was issued.")
        await add_item(s, "Flood in Osh", "Water levels rose; football match cancelled.")
        await add_item(s, "Mudflow hits road", "A mudflow closed the road.")
    assert await _titles(database, '"early warning system"') == ["Early warning system for mudflows"]
    assert set(await _titles(database, '"early warning"')) == {
        "Early warning system for mudflows",
        "Warning issued early",
    }
    assert set(await _titles(database, "flood OR mudflow")) == {
        "Flood in Osh",
        "Mudflow hits road",
        "Early warning system for mudflows",
    }
    assert await _titles(database, "flood OR mudflow -football -sensors") == ["Mudflow hits road"]
    assert await _titles(database, "flood road") == []  # AND: no item has both


async def test_every_filter(database: Database) -> None:
    async with database.session() as s:
        await add_item(
            s,
            "Flood aid to Kazakhstan",
            topics=["emergency_response"],
            countries=["KZ"],
            orgs=["SCO"],
            feed="Kazinform",
            language="en",
            published=NOW - timedelta(days=40),
        )
        await add_item(
            s,
            "Flood sanitary measures",
            topics=["public_health"],
            countries=["UZ"],
            orgs=["WHO"],
            feed="UzDaily",
            language="en",
            published=NOW - timedelta(days=5),
        )
        await add_item(
            s,
            "Наводнение: flood помощь",
            topics=["emergency_response"],
            countries=["KG"],
            orgs=["EMERCOM"],
            feed="AKIpress",
            language="ru",
            published=NOW - timedelta(days=1),
        )
    assert await _titles(database, "flood topic:public_health") == ["Flood sanitary measures"]
    assert set(await _titles(database, "flood topic:emergency_response")) == {
        "Flood aid to Kazakhstan",
        "Наводнение: flood помощь",
    }
    assert await _titles(database, "flood country:kz") == ["Flood aid to Kazakhstan"]
    assert await _titles(database, "flood country:Uzbekistan") == ["Flood sanitary measures"]
    assert set(await _titles(database, "flood country:KZ country:UZ")) == {
        "Flood aid to Kazakhstan",
        "Flood sanitary measures",
    }
    assert await _titles(database, "flood org:who") == ["Flood sanitary measures"]
    assert await _titles(database, "flood source:akipress") == ["Наводнение: flood помощь"]
    assert await _titles(database, "flood lang:ru") == ["Наводнение: flood помощь"]
    assert await _titles(database, "flood since:2025-06-01 until:2025-06-12") == ["Flood sanitary measures"]
    assert await _titles(database, "flood until:2025-05-06") == ["Flood aid to Kazakhstan"]
    # Filters alone list the newest first.
    assert await _titles(database, "topic:emergency_response") == [
        "Наводнение: flood помощь",
        "Flood aid to Kazakhstan",
    ]


async def test_ranking_title_and_recency(database: Database) -> None:
    async with database.session() as s:
        await add_item(s, "Ministers met", "They discussed biosafety among other things and budgets.")
        await add_item(s, "Biosafety laboratory opened", "A new laboratory opened.")
        await add_item(s, "Drought report", "drought monitoring", published=NOW - timedelta(days=200))
        await add_item(s, "Drought outlook", "drought monitoring", published=NOW - timedelta(days=2))
    assert (await _titles(database, "biosafety"))[0] == "Biosafety laboratory opened"
    assert await _titles(database, "drought") == ["Drought outlook", "Drought report"]
    async with database.session() as s:
        page = await search_items(s, "drought", now=NOW)
    assert page.results[0].score > page.results[1].score > 0


async def test_snippet_highlights_original_words_and_escapes(database: Database) -> None:
    async with database.session() as s:
        await add_item(s, "<b>Floods</b> & mudflows", "Heavy floods <script>alert(1)</script> hit the valley.")
    async with database.session() as s:
        page = await search_items(s, "flood", now=NOW)
    [result] = page.results
    assert result.snippet_html == "Heavy <b>floods</b> &lt;script&gt;alert(1)&lt;/script&gt; hit the valley."
    assert result.title_html == "&lt;b&gt;<b>Floods</b>&lt;/b&gt; &amp; mudflows"
    assert result.source == "Test wire"


async def test_paging(database: Database) -> None:
    async with database.session() as s:
        for day in range(7):
            await add_item(s, f"Seminar number {day}", "seminar", published=NOW - timedelta(days=day))
    async with database.session() as s:
        first = await search_items(s, "seminar", limit=3, now=NOW)
        last = await search_items(s, "seminar", limit=3, offset=6, now=NOW)
    assert [r.title for r in first.results] == ["Seminar number 0", "Seminar number 1", "Seminar number 2"]
    assert first.has_more
    assert [r.title for r in last.results] == ["Seminar number 6"]
    assert not last.has_more


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ('"early warning', "unbalanced_quote"),
        ("flood OR", "bare_operator"),
        ("OR flood", "bare_operator"),
        ("flood OR OR mudflow", "bare_operator"),
        ("flood -", "bare_operator"),
        ("flood AND", "bare_operator"),
        ("NOT flood", "bare_operator"),
        ("flood*", "special_character"),
        ("^flood", "special_character"),
        ("NEAR(flood mudflow)", "special_character"),
        ("title:flood", "unknown_filter"),
        ("flood since:2025-02-30", "bad_date"),
        ("flood since:yesterday", "bad_date"),
        ("flood since:2025-05-02 until:2025-05-01", "date_order"),
        ("flood country:Atlantis", "bad_country"),
        ("flood topic:", "empty_filter"),
        ("-flood", "only_excluded"),
        ("   ", "empty"),
        ("flood " * 30, "too_many_terms"),
    ],
)
async def test_malformed_queries_are_explained(sqlite_database: Database, query: str, code: str) -> None:
    async with sqlite_database.session() as s:
        with pytest.raises(SearchQueryError) as info:
            await search_items(s, query, now=NOW)
    assert info.value.code == code
    assert str(info.value)


@pytest.mark.parametrize(
    "query",
    [
        "flood'; DROP TABLE items; --",
        '"flood\'; DELETE FROM items; --"',
        "flood source:%",
        "flood source:_",
        'flood OR "x:y*" -"NEAR(y"',
        '"body : flood"',
    ],
)
async def test_injection_attempts_are_plain_text(database: Database, query: str) -> None:
    async with database.session() as s:
        await add_item(s, "Flood in Osh", "Water rose.", feed="Kabar")
        await add_item(s, "Drill", "Nothing to see.", feed="Kabar")
    async with database.session() as s:
        page = await search_items(s, query, now=NOW)
        count = await s.scalar(select(func.count()).select_from(Item))
    assert count == 2
    titles = [r.title for r in page.results]
    assert "Drill" not in titles  # no query above may widen into "everything"
    if "source:" in query:
        assert titles == []  # % and _ are literal characters, not wildcards


async def test_fts_operators_inside_quotes_are_words(database: Database) -> None:
    async with database.session() as s:
        await add_item(s, "Near the border", "or not at all")
    assert await _titles(database, '"NEAR" "OR" "NOT"') == ["Near the border"]


async def test_index_follows_updates_and_deletes(database: Database) -> None:
    async with database.session() as s:
        item = await add_item(s, "Chemical spill", "A chemical spill.")
    async with database.session() as s:
        await s.execute(update(Item).where(Item.id == item.id).values(title="Radiation leak", summary="leak"))
        assert await index_items(s, [item.id]) == 1
    assert await _titles(database, "chemical") == []
    assert await _titles(database, "radiation") == ["Radiation leak"]
    async with database.session() as s:
        await s.execute(delete(Item).where(Item.id == item.id))
    assert await _titles(database, "radiation") == []


async def test_cli_search_prints_json_lines(database: Database) -> None:
    async with database.session() as s:
        await add_item(s, "Flood in Osh", "Flood water rose.")
        await add_item(s, "Flood in Khujand", "Flood again.")
    out, err = io.StringIO(), io.StringIO()
    assert await cli_search(database.url, "flood", 1, out) == 0
    lines = out.getvalue().splitlines()
    assert len(lines) == 1
    assert json.loads(lines[0])["title"].startswith("Flood in")
    assert await cli_search(database.url, '"flood', 5, out, err) == 2
    assert "quote" in err.getvalue()
