"""Teaser feeds through the real poll path: the article page is fetched once for a new teaser, its lead
paragraphs become the summary (and what the annotator reads), and a page that fails changes nothing."""

from __future__ import annotations

import logging
import tomllib
from pathlib import Path

import pytest
from sqlalchemy import select

from analysis import Annotator
from bot.bootstrap import open_database
from bot.settings import ENV_DATABASE_URL, load_settings, settings_from_mapping
from feeds.fetch import build_client
from ingest.poller import Poller
from model.annotation import ItemText
from storage import feeds as feed_store
from storage.models import Item
from tests.feeds.article_pages import CHROME, EN_STORY, article_page
from tests.ingest.conftest import add_feeds

ROOT = Path(__file__).resolve().parents[2]
TEASER_TITLE = "Joint drill ends near Kordai"


def teaser_rss(tag: str, link: str, description: str = "") -> bytes:
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Agency wire</title>'
        f"<item><guid>{tag}-1</guid><link>{link}</link><title>{TEASER_TITLE}</title>"
        f"<description>{description}</description><pubDate>Mon, 03 Mar 2025 10:00:00 GMT</pubDate></item>"
        "</channel></rss>"
    ).encode()


async def _items(database) -> list[Item]:
    async with database.read_session() as session:
        return list((await session.scalars(select(Item))).all())


async def test_a_teaser_gets_the_article_lead_fetched_once(database, poller, feed_server) -> None:
    tag = f"teaser{id(database)}"
    page = feed_server.set_feed(f"/pages/{tag}.html", article_page(TEASER_TITLE, EN_STORY), content_type="text/html")
    feed = feed_server.set_feed(f"/wire/{tag}.xml", teaser_rss(tag, page))
    await add_feeds(database, feed)
    await poller.poll_due(all_feeds=True)
    [item] = await _items(database)
    assert item.summary.startswith(EN_STORY[0])
    assert not any(chrome in item.summary for chrome in CHROME)
    # The next poll (the feed changed, so it is parsed again) does not fetch the page again.
    feed_server.set_feed(f"/wire/{tag}.xml", teaser_rss(tag, page) + b" ")
    await poller.poll_due(all_feeds=True)
    assert len(feed_server.requests_for(f"/pages/{tag}.html")) == 1


@pytest.mark.parametrize(
    ("mode", "description", "fetched"),
    [("auto", "x " * 150, False), ("always", "x " * 150, True), ("never", "", False)],
)
async def test_the_feed_mode_decides(database, poller, feed_server, mode, description, fetched) -> None:
    tag = f"mode-{mode}{id(database)}"
    page = feed_server.set_feed(f"/pages/{tag}.html", article_page(TEASER_TITLE, EN_STORY), content_type="text/html")
    feed = feed_server.set_feed(f"/wire/{tag}.xml", teaser_rss(tag, page, description))
    await add_feeds(database, feed)
    async with database.session() as session:
        await feed_store.set_full_text_modes(session, {feed: mode})
    await poller.poll_due(all_feeds=True)
    assert bool(feed_server.requests_for(f"/pages/{tag}.html")) is fetched
    [item] = await _items(database)
    assert (EN_STORY[0] in item.summary) is fetched


async def test_a_failing_page_leaves_the_item_as_the_feed_gave_it(database, poller, feed_server, caplog) -> None:
    caplog.set_level(logging.INFO, logger="ingest.poller")
    tag = f"broken{id(database)}"
    feed = feed_server.set_feed(f"/wire/{tag}.xml", teaser_rss(tag, feed_server.url("/status/500"), "Short teaser."))
    await add_feeds(database, feed)
    await poller.poll_due(all_feeds=True)
    [item] = await _items(database)
    assert item.summary == "Short teaser."
    assert any("left out (server_error)" in r.getMessage() for r in caplog.records)


async def test_the_annotator_reads_the_article_not_the_bare_title(database, feed_settings, feed_server) -> None:
    settings = load_settings(ROOT / "config.toml", {})
    annotator = Annotator.load(settings.topics, settings.analysis)
    bare = annotator.annotate_many([_text(TEASER_TITLE)])[0]
    tag = f"annotated{id(database)}"
    page = feed_server.set_feed(f"/pages/{tag}.html", article_page(TEASER_TITLE, EN_STORY), content_type="text/html")
    feed = feed_server.set_feed(f"/wire/{tag}.xml", teaser_rss(tag, page))
    await add_feeds(database, feed)
    async with build_client(feed_settings.limits, max_connections=4) as client:
        await Poller(database, client, feed_settings, annotator, worker="test").poll_due(all_feeds=True)
    [item] = await _items(database)
    countries = {c.country for c in item.countries}
    topics = {t.topic for t in item.topics}
    assert {"KG", "KZ"} <= countries
    assert "KG" not in bare.countries  # the title alone names neither country
    assert topics - set(bare.topics), (topics, bare.topics)


def _text(title: str) -> ItemText:
    return ItemText(title, "", "en", None)


async def test_a_configured_source_sets_its_mode_at_start(tmp_path) -> None:
    raw = tomllib.loads((ROOT / "config.toml").read_text(encoding="utf-8"))
    raw["feeds"]["sources"][0]["full_text"] = "never"
    url = raw["feeds"]["sources"][0]["url"]
    settings = settings_from_mapping(raw, {ENV_DATABASE_URL: f"sqlite+aiosqlite:///{tmp_path / 'c.db'}"})
    async with open_database(settings) as database, database.read_session() as session:
        configured = await feed_store.get_feed_by_url(session, url)
        other = await feed_store.get_feed_by_url(session, raw["feeds"]["sources"][1]["url"])
    assert (configured.full_text, other.full_text) == ("never", "auto")
