# ruff: noqa: F811 - the harness fixtures are imported from tests/bot/conftest.py
"""/search, /events and /trends through the real Application against the Bot API emulator."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Calendar

from storage.models import ItemEvent
from storage.search import index_items
from tests.bot.conftest import (  # noqa: F401 - fixtures
    Harness,
    bot_tables,
    emulator,
    harness,
    make_emulator,
    store_item,
)

CHAT = 5101


async def _stored(h: Harness, titles: list[str]) -> list[int]:
    ids = []
    for title in titles:
        item = await store_item(h.database, title, summary=f"{title}. Details follow.")
        ids.append(item.id)
    async with h.database.session() as s:
        await index_items(s, ids)  # storage.items does not index yet; the poller must call this
    return ids


async def test_search_answers_and_pages(harness: Harness) -> None:
    await _stored(harness, [f"Flood number {n} in Osh" for n in range(7)] + ["Vaccines arrive"])
    [page] = await harness.say(CHAT, "/search floods")
    assert "Flood number" in page.text and "Vaccines" not in page.text
    assert page.text.count("Example News") == 5
    [[next_button]] = page.reply_markup["inline_keyboard"]
    assert len(next_button["callback_data"].encode()) <= 64
    await harness.press(CHAT, page.message_id, next_button["callback_data"])
    await harness.wait(lambda: harness.emulator.last_message(CHAT).edits == 1)
    second = harness.emulator.last_message(CHAT)
    assert second.text.count("Example News") == 2
    assert "6." in second.text


async def test_search_explains_bad_queries(harness: Harness) -> None:
    [answer] = await harness.say(CHAT, '/search "early warning')
    assert "quote" in answer.text and "Example" in answer.text
    [answer] = await harness.say(CHAT, "/search flood*")
    assert "*" in answer.text
    [usage] = await harness.say(CHAT, "/search")
    assert "topic:" in usage.text


async def test_events_list_and_ics(harness: Harness) -> None:
    [item_id] = await _stored(harness, ["Joint rescue training in Almaty"])
    start = datetime.now(UTC).date() + timedelta(days=5)
    async with harness.database.session() as s:
        s.add(
            ItemEvent(item_id=item_id, kind="training", start_date=start.isoformat(), end_date=None, location="Almaty")
        )
    [listing] = await harness.say(CHAT, "/events upcoming")
    assert "Training" in listing.text and "Almaty" in listing.text
    assert "Joint rescue training in Almaty" in listing.text
    [bad] = await harness.say(CHAT, "/events someday")
    assert "someday" in bad.text
    [doc] = await harness.say(CHAT, "/events ics")
    assert doc.kind == "document" and doc.file_name.endswith(".ics")
    calendar = Calendar.from_ical(harness.emulator.file_bytes(doc.file_id))
    [event] = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == start


async def test_trends_sends_png(harness: Harness) -> None:
    await _stored(harness, ["Flood in Osh"])
    [photo] = await harness.say(CHAT, "/trends country 14")
    assert photo.kind == "photo"
    assert harness.emulator.file_bytes(photo.file_id).startswith(b"\x89PNG")
    [bad] = await harness.say(CHAT, "/trends 9999")
    assert "9999" in bad.text
