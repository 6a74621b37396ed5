"""Feeds built like the real ones that went wrong (issue 16): free-form dates, undated items, undeclared
Latin-1, UTF-32 without a BOM, double-encoded UTF-8, HTML feed titles, javascript: links."""

from __future__ import annotations

from datetime import UTC, datetime

import ftfy.bad_codecs  # noqa: F401  (registers the sloppy-windows-1252 codec)
import pytest

from feeds.normalise import normalise_entries, repair_mojibake
from feeds.parse import parse_feed

FETCHED = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def rss(items: str, channel: str = "", language: str = "en") -> str:
    return f"""<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title><language>{language}</language>
{channel}{items}</channel></rss>"""


def items_of(body: bytes, content_type: str | None = None):
    feed = parse_feed(body, "https://news.example.org/rss", content_type)
    entries = normalise_entries(
        feed.entries, fetched_at=FETCHED, feed_language=feed.language, channel_published=feed.published
    )
    return feed, entries


def test_portuguese_and_english_free_form_dates():
    body = rss(
        "<item><title>Cheias no sul</title><pubDate>Seg, 24 Set 2018</pubDate></item>",
        language="pt-BR",
    ).encode()
    _, [item] = items_of(body)
    assert (item.published, item.date_source) == (datetime(2018, 9, 24, tzinfo=UTC), "entry")
    body = rss("<item><title>Floods</title><pubDate>Friday, January 29, 2021 04:42 PM</pubDate></item>").encode()
    _, [item] = items_of(body)
    assert (item.published, item.date_source) == (datetime(2021, 1, 29, 16, 42, tzinfo=UTC), "entry")


def test_undated_items_take_the_channel_date_then_the_fetch_time():
    channel = "<lastBuildDate>Tue, 14 Feb 2017 08:00:00 GMT</lastBuildDate>"
    _, [item] = items_of(rss("<item><title>Old story</title></item>", channel).encode())
    assert (item.published, item.date_source) == (datetime(2017, 2, 14, 8, tzinfo=UTC), "channel")
    _, [item] = items_of(rss("<item><title>Old story</title></item>").encode())
    assert (item.published, item.date_source) == (FETCHED, "fetched")


def test_undeclared_latin_1_reads_as_windows_1252():
    body = rss("<item><title>Psychologue à domicile: campeón da ação</title></item>").encode("latin-1")
    _, [item] = items_of(body)
    assert item.title == "Psychologue à domicile: campeón da ação"


def test_utf32_without_a_bom_is_a_feed():
    body = rss("<item><title>Сель в горах · 泥石流</title></item>").encode("utf-32-le")
    _, [item] = items_of(body)
    assert item.title == "Сель в горах · 泥石流"


def test_double_encoded_utf8_is_repaired():
    title = "Заморозки до минус 15 градусов и пожар в гостинице"
    # As a site that reads UTF-8 as windows-1252 publishes it (bytes cp1252 lacks become C1 characters).
    mojibake = title.encode("utf-8").decode("sloppy-windows-1252")
    assert mojibake.startswith("Ð—Ð°Ð¼")
    body = rss(f"<item><title>{mojibake}</title></item>").encode("utf-8")
    _, [item] = items_of(body)
    assert item.title == title


@pytest.mark.parametrize(
    "text",
    [
        "Спасатели МЧС Казахстана эвакуировали жителей",
        "Қазақстан ТЖМ құтқарушылары",
        "塔吉克斯坦发生5.9级地震",
        "Café « déjà » — naïve façade",
        "Ўзбекистон фавқулодда вазиятлар вазирлиги",
    ],
)
def test_correct_text_is_left_unchanged(text):
    assert repair_mojibake(text) == text


def test_html_feed_title_is_plain_text():
    body = rss("<item><title>x</title></item>").replace(
        "<title>Wire</title>", "<title>&lt;img src=x onerror=alert(1)&gt;GDACS &lt;b&gt;alerts&lt;/b&gt;</title>"
    )
    feed, _ = items_of(body.encode())
    assert feed.title == "GDACS alerts"


def test_javascript_links_are_no_links():
    body = rss(
        "<item><title>a</title><link>javascript:alert(1)</link></item>"
        "<item><title>b</title><link>data:text/html,x</link></item>"
        "<item><title>c</title><link>https://news.example.org/c</link></item>"
    ).encode()
    feed, items = items_of(body)
    assert [i.url for i in items] == [None, None, "https://news.example.org/c"]
