"""Stop words (never indexed, never searched) and the ranking window, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from handlers.search import bad_query_text
from storage.db import Database
from storage.models import ItemSearch
from storage.search import SearchQueryError, search_items
from storage.search_text import stemmed_text
from tests.search.conftest import NOW, add_item


async def _titles(db: Database, query: str, **kw) -> list[str]:
    async with db.session() as session:
        page = await search_items(session, query, now=NOW, **kw)
    return [r.title for r in page.results]


async def test_stop_words_are_not_indexed(database: Database) -> None:
    async with database.session() as s:
        item = await add_item(s, "The flood in the Osh region", "Его эвакуировали из района.", language="en")
    async with database.session() as s:
        row = (await s.execute(select(ItemSearch).where(ItemSearch.item_id == item.id))).scalar_one()
    assert row.title.split() == ["flood", "osh", "region"]
    assert "из" not in row.body.split() and "его" not in row.body.split()
    assert stemmed_text("WHO and US experts") == "who us expert"  # acronyms that fold to function words stay


async def test_phrases_with_stop_words_still_match(database: Database) -> None:
    async with database.session() as s:
        await add_item(s, "Flood of Kazakhstan rivers", "Water rose.")
        await add_item(s, "Наводнение в Казахстане", "Вода поднялась.", language="ru")
        await add_item(s, "Kazakhstan reports a flood", "Rivers rose.")
    # The stop word is dropped on both sides, so the phrase neither fails on it nor loses its word order.
    assert await _titles(database, '"flood of kazakhstan"') == ["Flood of Kazakhstan rivers"]
    assert await _titles(database, '"flood in kazakhstan"') == ["Flood of Kazakhstan rivers"]
    assert await _titles(database, '"наводнение в Казахстане"') == ["Наводнение в Казахстане"]
    assert set(await _titles(database, "the flood")) == {"Flood of Kazakhstan rivers", "Kazakhstan reports a flood"}
    assert await _titles(database, "flood -the -rivers") == []  # -the excludes nothing; -rivers both
    assert await _titles(database, "WHO") == []  # not a stop word: searched, and nothing mentions it


@pytest.mark.parametrize(
    ("query", "code", "detail"),
    [
        ("the", "only_stop_words", "the"),
        ('"of the"', "only_stop_words", "of the"),
        ("и в на", "only_stop_words", "и в на"),
        ("the topic:public_health", "only_stop_words", "the"),
        ("flood OR the", "stop_word_or", "the"),
        ("the OR flood", "stop_word_or", "the"),
    ],
)
async def test_stop_word_only_queries_are_explained(database: Database, query: str, code: str, detail: str) -> None:
    async with database.session() as s:
        with pytest.raises(SearchQueryError) as info:
            await search_items(s, query, now=NOW)
    assert (info.value.code, info.value.detail) == (code, detail)
    for lang in ("en", "ru"):
        message = bad_query_text(lang, info.value)
        assert detail in message and "search.reason" not in message


async def test_window_ranks_only_the_newest_matches(database: Database) -> None:
    async with database.session() as s:
        # The oldest item is the best BM25 match (the word in its title, twice); the newer ones are weaker.
        await add_item(s, "Mudflow mudflow report", "mudflow", published=NOW - timedelta(days=3))
        for n in range(4):
            await add_item(s, f"Regional bulletin {n}", "a mudflow was seen", published=NOW - timedelta(days=2))
        await add_item(s, "Other news", "nothing here", published=NOW - timedelta(days=1))
    everything = await _titles(database, "mudflow", window=100)
    assert everything[0] == "Mudflow mudflow report" and len(everything) == 5
    newest = await _titles(database, "mudflow", limit=3, window=4)
    assert len(newest) == 3 and "Mudflow mudflow report" not in newest
    # Filters apply before the window: the window holds the newest matches that pass them.
    until = "mudflow until:" + (NOW - timedelta(days=3)).date().isoformat()
    assert await _titles(database, until, limit=3, window=4) == ["Mudflow mudflow report"]
    with pytest.raises(ValueError):
        await _titles(database, "mudflow", limit=10, window=5)


async def test_date_filters_find_late_arrivals(database: Database) -> None:
    # Ids grow with arrival; an old story that arrives last (a feed's backlog) must still be found.
    async with database.session() as s:
        await add_item(s, "Mudflow this week", published=NOW - timedelta(days=1))
        await add_item(s, "Mudflow last year", published=NOW - timedelta(days=400))
        item = await add_item(s, "Mudflow this month", published=NOW - timedelta(days=10))
        item.published_at = NOW - timedelta(days=2)  # a corrected date moves it to another day
    until = (NOW - timedelta(days=300)).date().isoformat()
    since = (NOW - timedelta(days=3)).date().isoformat()
    assert await _titles(database, f"mudflow until:{until}") == ["Mudflow last year"]
    assert set(await _titles(database, f"mudflow since:{since}")) == {"Mudflow this week", "Mudflow this month"}
    assert await _titles(database, f"mudflow since:{since} until:{since}") == []
