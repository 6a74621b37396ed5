"""Finding 9: an OPML upload goes through defusedxml over the whole document, in any encoding, and its size is
checked from Telegram's file_size before the download, and again while it streams in. The uploads travel
over HTTP on 127.0.0.1 (the emulator's file server), as from Telegram."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from handlers.opml import MAX_OPML_BYTES, OpmlError, parse_opml
from storage.models import Feed
from tests.bot.conftest import ADMIN, Harness

BOMB_DTD = (
    '<!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>'
)
BODY = '<opml version="2.0"><head><title>&d;</title></head><body><outline text="x" xmlUrl="https://a.example.org/rss"/></body></opml>'


def bomb(*, comment: int = 0, encoding: str = "utf-8") -> bytes:
    head = f'<?xml version="1.0" encoding="{encoding}"?>'
    text = head + ("<!--" + "c" * comment + "-->" if comment else "") + BOMB_DTD + BODY
    return text.encode(encoding)


@pytest.mark.parametrize(
    "data",
    [
        bomb(),
        bomb(comment=5000),  # past the old 4 KB window
        bomb(encoding="utf-16"),  # "<!ENTITY" never appears as ASCII bytes
        bomb(comment=200_000),
    ],
    ids=["plain", "long-comment", "utf-16", "very-long-comment"],
)
def test_entity_declarations_are_refused_anywhere_in_any_encoding(data: bytes) -> None:
    with pytest.raises(OpmlError, match="not accepted"):
        parse_opml(data)


def test_an_external_entity_is_refused() -> None:
    data = b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY x SYSTEM "file:///etc/passwd">]><opml>&x;</opml>'
    with pytest.raises(OpmlError, match="not accepted"):
        parse_opml(data)


def test_a_plain_utf16_opml_still_imports() -> None:
    text = '<?xml version="1.0" encoding="utf-16"?>' + BODY.replace("&d;", "Лента")
    assert [f.url for f in parse_opml(text.encode("utf-16"))] == ["https://a.example.org/rss"]


async def feed_count(h: Harness) -> int:
    async with h.database.read_session() as session:
        return await session.scalar(select(func.count()).select_from(Feed))


@pytest.mark.parametrize("data", [bomb(comment=5000), bomb(encoding="utf-16")], ids=["long-comment", "utf-16"])
async def test_a_hostile_upload_is_refused_and_stores_nothing(harness: Harness, data: bytes) -> None:
    h = harness
    h.emulator.add_user(ADMIN, "Admin")
    before = len(h.emulator.sent_messages(ADMIN))
    h.emulator.inject_document(ADMIN, data, "feeds.opml")
    msgs = await h.emulator.wait_for_messages_async(ADMIN, before + 1)
    assert "not usable OPML" in msgs[-1].text and "not accepted" in msgs[-1].text
    assert await feed_count(h) == 0


async def test_an_oversized_upload_is_refused_before_the_download(harness: Harness) -> None:
    h = harness
    h.emulator.add_user(ADMIN, "Admin")
    big = b'<?xml version="1.0"?><opml><!--' + b"x" * (MAX_OPML_BYTES + 10) + b"--></opml>"
    downloads = h.emulator.calls["file_download"]
    before = len(h.emulator.sent_messages(ADMIN))
    h.emulator.inject_document(ADMIN, big, "big.opml")
    msgs = await h.emulator.wait_for_messages_async(ADMIN, before + 1)
    assert "larger than" in msgs[-1].text
    assert h.emulator.calls["file_download"] == downloads  # never fetched
    assert await feed_count(h) == 0
