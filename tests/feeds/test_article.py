"""Full text for teaser feeds: real-looking article pages over loopback HTTP, robots.txt, and every way a
page can fail (each one leaves the caller a typed error, never a crash)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from feeds.article import (
    NoArticleText,
    NotAPage,
    RobotsCache,
    RobotsDisallowed,
    fetch_article_text,
    lead_paragraphs,
    wants_full_text,
)
from feeds.errors import BodyTooLarge, PrivateAddressRefused
from feeds.fetch import build_client
from testkit.feedserver import FeedServer
from tests.feeds.article_pages import CHROME, EN_STORY, RU_STORY, article_page

MAX = 2 * 1024 * 1024


@pytest.fixture
def site():
    """A server of its own: robots.txt lives at the root, so no other test may share it."""
    with FeedServer() as server:
        yield server


@pytest.mark.parametrize(("story", "lang"), [(EN_STORY, "en"), (RU_STORY, "ru")])
async def test_the_text_is_the_article_and_none_of_the_chrome(site, client, limits, story, lang) -> None:
    url = site.set_feed(f"/news/{lang}/story.html", article_page("A story", story, lang=lang), content_type="text/html")
    text = await fetch_article_text(client, url, limits, RobotsCache(client, limits), max_bytes=MAX)
    for paragraph in story:
        assert paragraph in text
    for chrome in CHROME:
        assert chrome not in text, chrome


async def test_robots_txt_is_honoured_and_asked_once_per_site(site, client, limits) -> None:
    site.set_feed("/robots.txt", b"User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    page = article_page("A story", EN_STORY)
    allowed = site.set_feed("/news/1.html", page, content_type="text/html")
    also_allowed = site.set_feed("/news/2.html", page, content_type="text/html")
    refused = site.set_feed("/private/3.html", page, content_type="text/html")
    robots = RobotsCache(client, limits)
    assert EN_STORY[0] in await fetch_article_text(client, allowed, limits, robots, max_bytes=MAX)
    assert EN_STORY[0] in await fetch_article_text(client, also_allowed, limits, robots, max_bytes=MAX)
    with pytest.raises(RobotsDisallowed):
        await fetch_article_text(client, refused, limits, robots, max_bytes=MAX)
    assert site.requests_for("/private/3.html") == []
    assert len(site.requests_for("/robots.txt")) == 1


async def test_a_missing_robots_txt_allows_and_a_failing_one_keeps_out(site, client, limits) -> None:
    url = site.set_feed("/news/a.html", article_page("A story", EN_STORY), content_type="text/html")
    assert EN_STORY[1] in await fetch_article_text(client, url, limits, RobotsCache(client, limits), max_bytes=MAX)
    # RFC 9309: a robots.txt that answers 5xx (or 429) means keep out until it can be read.
    for status in (503, 429):
        site.set_feed("/robots.txt", b"User-agent: *\nAllow: /\n", content_type="text/plain", status=status)
        site.clear_requests()
        with pytest.raises(RobotsDisallowed):
            await fetch_article_text(client, url, limits, RobotsCache(client, limits), max_bytes=MAX)
        assert site.requests_for("/news/a.html") == []


async def test_a_page_that_is_not_html_or_has_no_story_is_a_typed_error(site, client, limits) -> None:
    robots = RobotsCache(client, limits)
    pdf = site.set_feed("/files/report.pdf", b"%PDF-1.4 binary", content_type="application/pdf")
    with pytest.raises(NotAPage):
        await fetch_article_text(client, pdf, limits, robots, max_bytes=MAX)
    empty = site.set_feed("/news/empty.html", b"<html><body><nav>Home</nav></body></html>", content_type="text/html")
    with pytest.raises(NoArticleText):
        await fetch_article_text(client, empty, limits, robots, max_bytes=MAX)


async def test_a_page_over_the_cap_is_refused(site, client, limits) -> None:
    big = article_page("A story", EN_STORY * 400)
    url = site.set_feed("/news/big.html", big, content_type="text/html")
    with pytest.raises(BodyTooLarge):
        await fetch_article_text(client, url, limits, RobotsCache(client, limits), max_bytes=len(big) // 2)


async def test_a_private_page_address_is_refused_before_any_request(site, limits) -> None:
    guarded = replace(limits, allow_private_addresses=False)
    url = site.set_feed("/news/inside.html", article_page("A story", EN_STORY), content_type="text/html")
    async with build_client(guarded, max_connections=2) as client:
        with pytest.raises(PrivateAddressRefused):
            await fetch_article_text(client, url, guarded, RobotsCache(client, guarded), max_bytes=MAX)
    assert site.requests == []


def test_the_lead_drops_the_title_and_stops_at_a_paragraph() -> None:
    text = "\n".join(["A story", *EN_STORY])
    lead = lead_paragraphs(text, "A story", max_chars=len(EN_STORY[0]) + len(EN_STORY[1]) + 10)
    assert lead == "\n".join(EN_STORY[:2])
    one_long = lead_paragraphs(" ".join(EN_STORY), "Other", max_chars=200)
    assert one_long == EN_STORY[0]  # cut at the end of a sentence, not inside a word


def test_the_mode_decides_which_items_want_their_page() -> None:
    teaser, full = "Rescuers held a drill.", "x" * 250
    assert wants_full_text("auto", teaser, 200) and not wants_full_text("auto", full, 200)
    assert wants_full_text("always", full, 200)
    assert not wants_full_text("never", teaser, 200)
