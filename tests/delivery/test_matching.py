"""A chat's own filters on an item: include and exclude words match words in any inflection, not substrings."""

from __future__ import annotations

from dataclasses import replace

from delivery.matching import item_passes
from model.chats import ChatSettings
from storage.db import Database
from tests.bot.conftest import store_item


async def test_include_and_exclude_words_match_inflections_not_substrings(sqlite_database: Database) -> None:
    english = await store_item(sqlite_database, "Stadium floodlight fails", summary="The match was stopped.")
    floods = await store_item(sqlite_database, "Floods hit the valley", summary="Early-warning sirens sounded.")
    russian = await store_item(sqlite_database, "Наводнения в долине", summary="Спасатели эвакуировали жителей.")
    wants = lambda *words: replace(ChatSettings(), include=words)  # noqa: E731
    avoids = lambda *words: replace(ChatSettings(), exclude=words)  # noqa: E731
    assert not item_passes(wants("flood"), english, [])  # "flood" is not in "floodlight"
    assert item_passes(wants("flood"), floods, [])  # but is in "floods"
    assert item_passes(wants("early warning"), floods, [])  # a phrase, across the hyphen
    assert item_passes(wants("наводнение"), russian, [])  # another case of the same word
    assert not item_passes(avoids("наводнение"), russian, [])
    assert item_passes(avoids("flood"), english, [])
    assert not item_passes(wants("the"), floods, [])  # a stop word alone matches nothing
