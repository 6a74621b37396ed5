"""What an alert names, from feeds polled over HTTP: the date it used (marked when not the entry's own), and
"also reported by" as distinct display names with their links, a feed's second URL for one text included."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime

from sqlalchemy import select

from emulator import parse_html
from presentation.render import AlertView, render_alert
from storage import items as item_store
from storage.models import Feed, Item
from tests.ingest.conftest import add_feeds

NOW = datetime.now(UTC).replace(microsecond=0)


def rss(title: str, *items: str, channel_date: datetime | None = None) -> bytes:
    date = f"<pubDate>{format_datetime(channel_date, usegmt=True)}</pubDate>" if channel_date else ""
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{title}</title><link>https://news.example.org/</link>{date}{''.join(items)}</channel></rss>"
    ).encode()


def item(guid: str, title: str, link: str, *, published: datetime | None = None) -> str:
    date = f"<pubDate>{format_datetime(published, usegmt=True)}</pubDate>" if published else ""
    return (
        f"<item><guid isPermaLink='false'>{guid}</guid><title>{title}</title><link>{link}</link>{date}"
        "<description>Rescuers evacuated 40 families after the river rose overnight in the valley.</description>"
        "</item>"
    )


async def items_by_guid(database) -> dict[str, Item]:
    async with database.read_session() as session:
        return {i.guid: i for i in (await session.scalars(select(Item))).all()}


def visible(view: AlertView, lang: str) -> tuple[str, list]:
    parsed = parse_html(render_alert(view, lang))
    return parsed.text, [e for e in parsed.entities if e.get("type") == "text_link"]


async def test_the_alert_marks_a_date_that_is_not_the_entry_own(database, poller, feed_server) -> None:
    dated = feed_server.set_feed(
        "/names/dated.xml", rss("Dated", item("d1", "Flood in the valley", "https://a.example/1", published=NOW))
    )
    undated = feed_server.set_feed(
        "/names/undated.xml",
        rss("Undated", item("u1", "Landslide on the pass road", "https://b.example/1"), channel_date=NOW),
    )
    bare = feed_server.set_feed(
        "/names/bare.xml", rss("Bare", item("b1", "Storm warning issued", "https://c.example/1"))
    )
    await add_feeds(database, dated, undated, bare)
    await poller.poll_due(all_feeds=True)
    rows = await items_by_guid(database)
    assert {g: i.date_source for g, i in rows.items()} == {"d1": "entry", "u1": "channel", "b1": "fetched"}
    day = NOW.strftime("%Y-%m-%d")
    lines = {
        (g, lang): visible(AlertView.from_item(i), lang)[0].splitlines()[1]
        for g, i in rows.items()
        for lang in ("en", "ru")
    }
    assert lines[("d1", "en")] == f"Dated · {day}" and lines[("d1", "ru")] == f"Dated · {day}"
    assert lines[("u1", "en")] == f"Undated · {day} (date: feed)"
    assert lines[("u1", "ru")] == f"Undated · {day} (дата: по ленте)"
    assert lines[("b1", "en")] == f"Bare · {day} (date: when fetched)"
    assert lines[("b1", "ru")] == f"Bare · {day} (дата: время получения)"


async def test_also_reported_by_names_each_other_source_once_with_its_link(database, poller, feed_server) -> None:
    story = "Floods close the Almaty–Bishkek road"
    urls = [
        feed_server.set_feed(
            f"/names/gdacs{n}.xml", rss("GDACS RSS information", item(f"g{n}", story, f"https://gdacs.example/{n}"))
        )
        for n in range(2)
    ]
    urls.append(
        feed_server.set_feed(
            "/names/agency.xml",
            rss("Agency &lt;b&gt;wire&lt;/b&gt;", item("a1", story, "https://wire.example/a1")),
        )
    )
    urls.append(feed_server.set_feed("/names/odd.xml", rss("Odd", item("o1", story, "javascript:alert(1)"))))
    first, *_ = await add_feeds(database, *urls)
    async with database.session() as session:
        (await session.get(Feed, first)).name = None  # the first GDACS feed keeps its own title as its name
    for _ in urls:
        await poller.poll_due(all_feeds=True)
    [row] = (await items_by_guid(database)).values()
    assert len(row.sources) == 4
    text, links = visible(AlertView.from_item(row), "en")
    also = next(line for line in text.splitlines() if line.startswith("Also reported by: "))
    # The other GDACS feed has the alert's own name: not repeated. Names are plain text, escaped on output.
    assert also == "Also reported by: Agency wire, Odd"
    assert [(e["url"]) for e in links][1:] == ["https://wire.example/a1"]  # javascript: stays unlinked


async def test_one_feed_two_guids_one_text_keep_the_second_url_as_another_source(database, poller, feed_server) -> None:
    """Two papers of one aggregator carry one story: stored once, the second URL shown as another source."""
    story = "Mudflow reaches the outskirts of Osh"
    url = feed_server.set_feed(
        "/names/aggregator.xml",
        rss(
            "Regional papers",
            item("p1", story, "https://first-paper.example/mudflow", published=NOW),
            item("p2", story, "https://second-paper.example/osh-mudflow", published=NOW),
        ),
    )
    await add_feeds(database, url)
    await poller.poll_due(all_feeds=True)
    rows = await items_by_guid(database)
    assert list(rows) == ["p1"]
    [other] = item_store.other_sources(rows["p1"])  # what the CLI's items and --json list too
    assert (other.guid, other.url) == ("p2", "https://second-paper.example/osh-mudflow")
    text, links = visible(AlertView.from_item(rows["p1"]), "en")
    assert "Also reported by: second-paper.example" in text
    assert "https://second-paper.example/osh-mudflow" in [e["url"] for e in links]
