"""Ingest of feeds built like the real ones (issue 16): empty entries from two feeds, one story two papers
of one feed carry."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import Item, ItemSource
from tests.ingest.conftest import add_feeds

EMPTY = (
    '<item><guid isPermaLink="false">{g}</guid></item>'
    '<item><guid isPermaLink="false">{g}-2</guid><title></title><description> </description></item>'
)


def rss(items: str) -> bytes:
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>F</title>{items}</channel></rss>'.encode()


async def test_empty_entries_from_two_feeds_are_not_stored_and_merge_nothing(database, poller, feed_server):
    story = "<item><guid>s-{n}</guid><link>https://paper{n}.example.org/s</link></item>"  # a link alone
    one = feed_server.set_feed(f"/empty-a-{id(database)}", rss(EMPTY.format(g="a") + story.format(n=1)))
    two = feed_server.set_feed(f"/empty-b-{id(database)}", rss(EMPTY.format(g="b") + story.format(n=2)))
    await add_feeds(database, one, two)
    await poller.poll_due()
    async with database.read_session() as session:
        urls = sorted(i.url for i in (await session.scalars(select(Item))).all())
    # two link-only stories, each its own: an empty text never matches another empty text
    assert urls == ["https://paper1.example.org/s", "https://paper2.example.org/s"]


async def test_two_guids_with_the_same_text_in_one_feed_are_one_story_with_both_urls(database, poller, feed_server):
    text = "<title>Mudflow closes the Bishkek–Osh road</title><description>Rescuers cleared two sections.</description>"
    items = "".join(
        f"<item><guid>p{n}</guid><link>https://paper{n}.example.kg/road</link>{text}</item>" for n in (1, 2)
    )
    url = feed_server.set_feed(f"/same-text-{id(database)}", rss(items))
    await add_feeds(database, url)
    await poller.poll_due()
    async with database.read_session() as session:
        [item] = (await session.scalars(select(Item))).all()
        sources = sorted(s.url or "" for s in (await session.scalars(select(ItemSource))).all())
    assert item.url == "https://paper1.example.kg/road"
    assert "https://paper2.example.kg/road" in sources
