"""Issue 14 finding 3: every list is paged by whole entries under 4096 UTF-16 units as Telegram counts them
(after entity parsing). Long Cyrillic titles with emoji, & and < fill the pages; the emulator, which parses
HTML like Telegram and counts UTF-16 units, must accept every page."""

from __future__ import annotations

from datetime import timedelta

from presentation.pager import MAX_MESSAGE, first_page, paginate, visible_len
from storage import chats as chat_store
from storage import feeds as feed_store
from tests.bot.conftest import ADMIN, Harness, subscribers

HARD = "Учения спасателей 🚒 & <МЧС> «Казахстан–Кыргызстан» 🌊 наводнение & сель < 5 баллов "


def _entry(n: int) -> str:
    url = f"https://news.example.org/{'очень-длинный-путь/' * 12}{n}?a=1&amp;b=2"
    return (
        f'<b>{n}.</b> <a href="{url}">{HARD * 2} №{n}</a>\n{HARD}'.replace("&", "&amp;")
        .replace("&amp;amp;", "&amp;")
        .replace("<МЧС>", "&lt;МЧС&gt;")
        .replace("< 5", "&lt; 5")
    )


def test_pages_are_full_whole_entries_counted_after_parsing() -> None:
    entries = [_entry(n) for n in range(60)]
    pages = paginate("<b>Header</b>", entries)
    assert len(pages) > 1
    joined = "\n\n".join(pages)
    assert all(entry in joined for entry in entries)  # no entry cut
    for page, following in zip(pages, pages[1:], strict=False):
        assert visible_len(page) <= MAX_MESSAGE
        first = following.split("\n\n")[0]
        assert visible_len(f"{page}\n\n{first}") > MAX_MESSAGE  # the next entry really did not fit
    text, shown = first_page("<b>Header</b>", entries)
    assert text == pages[0] and shown == pages[0].count("</a>")


def _hard_title(n: int) -> str:
    return f"{HARD}{HARD}спасатели rescue №{n}"


async def test_every_list_command_sends_pages_the_emulator_accepts(harness: Harness) -> None:
    h = harness
    h.emulator.add_user(ADMIN, "Admin")
    await subscribers(h.database, [ADMIN], mode="digest")
    async with h.database.session() as session:
        for n in range(40):
            await feed_store.add_feed(
                session, f"https://feeds.example.org/{n}/rss", title=_hard_title(n), interval=timedelta(hours=1)
            )
        for n in range(200):
            await chat_store.upsert_chat(
                session, chat_id=-100_900_000 - n, type="supergroup", title=_hard_title(n), language="ru"
            )
    for n in range(40):
        await h.store_item(_hard_title(n), summary=HARD * 3, feed_url=f"https://feeds.example.org/{n % 40}/rss")
    for command in ("/search rescue", "/latest", "/digest", "/feeds", "/chats"):
        before = len(h.emulator.sent_messages(ADMIN))
        errors_before = h.emulator.stats()["calls"].get("sendMessage", 0)
        h.emulator.inject_message(ADMIN, command)
        await h.consumed()
        await h.wait(lambda b=before: len(h.emulator.sent_messages(ADMIN)) > b)
        sent = h.emulator.sent_messages(ADMIN)[before:]
        assert sent, command
        assert all("went wrong" not in m.text for m in sent), command
        assert all(len(m.text.encode("utf-16-le")) // 2 <= MAX_MESSAGE for m in sent), command
        assert h.emulator.stats()["calls"].get("sendMessage", 0) - errors_before == len(sent), command
