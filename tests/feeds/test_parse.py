"""parse_feed on the fixture feeds, including the broken ones; bodies come over real HTTP where it matters."""

from __future__ import annotations

import tracemalloc
from datetime import UTC, datetime, timedelta

import pytest

from feeds.errors import EmptyBody, NotAFeed
from feeds.fetch import fetch_feed
from feeds.models import CacheValidators
from feeds.parse import parse_feed
from testkit.feedserver import DATA_DIR, build_rss

URL = "https://feeds.example.org/rss"
RU_TITLE = "Спасатели Казахстана и Кыргызстана провели совместные учения"


def parse_file(name: str, content_type: str | None = "application/xml") -> object:
    return parse_feed((DATA_DIR / name).read_bytes(), URL, content_type)


def test_rss2():
    feed = parse_file("rss2.xml")
    assert feed.title == "Steppe Emergency Bulletin"
    assert feed.language == "en"
    assert feed.ttl == timedelta(minutes=45)
    assert feed.bozo_reason is None
    assert [e.guid for e in feed.entries] == ["seb-2025-0117", "seb-2025-0118", "seb-2025-0119"]
    first = feed.entries[0]
    assert first.published == datetime(2025, 3, 4, 1, 30, tzinfo=UTC)  # +0500 converted
    assert "<b>Kazakhstan</b>" in first.summary_html  # HTML is kept for normalise to strip
    assert first.link.startswith("https://bulletin.example.org/news/mudflow-drill?")


def test_atom():
    feed = parse_file("atom.xml", "application/atom+xml")
    assert feed.title == "Caspian Health Watch"
    assert feed.language == "en"
    assert feed.entries[0].guid == "tag:healthwatch.example.net,2025:flu-surveillance"
    assert feed.entries[0].published == datetime(2025, 3, 7, 6, 30, tzinfo=UTC)
    assert feed.entries[1].published == datetime(2025, 3, 6, 15, 0, tzinfo=UTC)  # only <updated>
    assert "ambulance" in feed.entries[1].summary_html  # from <content>, no <summary>


def test_rss1_rdf():
    feed = parse_file("rdf.xml")
    assert feed.title == "Disaster Risk Notes"
    assert [e.link for e in feed.entries] == [
        "https://drr.example.org/notes/avalanche-maps",
        "https://drr.example.org/notes/glacier-lakes",
    ]
    assert feed.entries[1].published == datetime(2025, 2, 21, 8, 0, tzinfo=UTC)


def test_chinese():
    feed = parse_file("zh.xml")
    assert feed.title == "上合组织应急合作简讯"
    assert feed.language == "zh-cn"
    assert feed.entries[0].title == "中哈两国举行边境地震救援联合演练"
    assert feed.entries[0].guid == "sco-zh-0301"  # not turned into a URL


def test_namespaced_extras():
    entry = parse_file("gdacs.xml").entries[0]
    assert entry.extras["gdacs:alertlevel"] == "Orange"
    assert entry.extras["gdacs:country"] == "Tajikistan"
    assert entry.extras["gdacs:iso3"] == "TJK"
    assert entry.extras["geo:lat"] == "38.56"
    assert entry.extras["geo:long"] == "68.79"
    assert all(isinstance(v, str) for v in entry.extras.values())


def test_feeds_without_extras_have_none():
    assert all(entry.extras == {} for entry in parse_file("rss2.xml").entries)


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("ru.xml", "application/rss+xml; charset=utf-8"),
        ("ru.xml", "text/xml"),  # RFC 3023 would say us-ascii; the body is UTF-8
        ("ru-cp1251.xml", "text/xml; charset=windows-1251"),
        ("ru-cp1251.xml", "application/xml"),  # declared only in the XML prolog
        ("ru-cp1251.xml", "text/xml; charset=utf-8"),  # HTTP header wrong, prolog right
        ("ru-cp1251-declared-utf8.xml", "application/xml"),  # prolog wrong
        ("ru-cp1251-undeclared.xml", None),  # nothing declared anywhere
    ],
)
def test_russian_in_any_declared_or_undeclared_charset(name, content_type):
    feed = parse_file(name, content_type)
    assert feed.title == "Вестник чрезвычайных ситуаций Центральной Азии"
    assert feed.entries[0].title == RU_TITLE
    assert "корью" in feed.entries[1].summary_html
    assert feed.language == "ru"


def test_wrong_charset_is_reported():
    feed = parse_file("ru-cp1251-declared-utf8.xml")
    assert feed.bozo_reason is not None and "cp1251" in feed.bozo_reason


def test_invalid_utf8_keeps_the_text_and_says_so():
    feed = parse_file("ru-invalid-utf8.xml", "application/xml; charset=utf-8")
    assert feed.entries[0].title == RU_TITLE
    assert len(feed.entries) == 2
    assert "invalid UTF-8" in feed.bozo_reason
    assert "\ufffd" in feed.entries[0].summary_html or "\ufffd" in feed.entries[1].summary_html


def test_malformed_xml_still_yields_its_good_entries():
    feed = parse_file("malformed.xml")
    assert [e.guid for e in feed.entries] == ["broken-1", "broken-2"]
    assert feed.entries[0].title == "Flood shelters & supplies ready in Osh region"
    assert feed.bozo_reason and "not well-formed" in feed.bozo_reason


def test_entries_without_guid_link_or_date():
    entries = parse_file("no-ids.xml").entries
    assert len(entries) == 3
    assert all(e.guid is None and e.link is None and e.published is None for e in entries)
    assert entries[2].title == ""


def test_relative_links_are_resolved_against_the_feed_url():
    body = (
        b'<rss version="2.0"><channel><title>t</title><item><title>a</title><link>/news/7</link></item></channel></rss>'
    )
    assert parse_feed(body, URL).entries[0].link == "https://feeds.example.org/news/7"


@pytest.mark.parametrize("body", [b"", b"   \r\n\t ", b"\xef\xbb\xbf\n"])
def test_empty_body(body):
    with pytest.raises(EmptyBody) as caught:
        parse_feed(body, URL)
    assert caught.value.code == "empty_body"


async def test_html_page_served_over_http_is_not_a_feed(feed_server, client, limits):
    fetched = await fetch_feed(client, feed_server.url("/html"), CacheValidators(), limits)
    with pytest.raises(NotAFeed) as caught:
        parse_feed(fetched.body, fetched.url, fetched.content_type)
    assert caught.value.code == "not_a_feed"
    assert "text/html" in str(caught.value)


async def test_empty_body_served_over_http(feed_server, client, limits):
    fetched = await fetch_feed(client, feed_server.url("/empty"), CacheValidators(), limits)
    with pytest.raises(EmptyBody):
        parse_feed(fetched.body, fetched.url, fetched.content_type)


@pytest.mark.parametrize("body", [b'{"version": "https://jsonfeed.org/version/1.1"}', b"plain words"])
def test_other_content_is_not_a_feed(body):
    with pytest.raises(NotAFeed):
        parse_feed(body, URL, "application/json")


def test_a_body_that_looks_like_a_path_is_never_opened():
    # feedparser.parse(bytes) would open a local file by that name; we always hand it a stream.
    with pytest.raises(NotAFeed):
        parse_feed(str(DATA_DIR / "rss2.xml").encode(), URL)


def _peak_while(action) -> tuple[object, int]:
    tracemalloc.start()
    try:
        result = action()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.timeout(60)
def test_billion_laughs_is_not_expanded():
    feed, peak = _peak_while(lambda: parse_file("billion-laughs.xml"))
    # Expanded, &lol9; is 10**9 "lol"s (3 GB); we keep the entry with the reference unexpanded.
    assert [e.guid for e in feed.entries] == ["laughs-1"]
    assert len(feed.entries[0].title) < 100
    assert len(feed.entries[0].summary_html) < 1000
    assert peak < 20 * 1024 * 1024


@pytest.mark.timeout(60)
def test_quadratic_blowup_is_not_expanded():
    # One 64 KB entity used 20,000 times would expand to 1.3 GB.
    blob = "x" * 65536
    body = (
        f'<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY big "{blob}">]>\n'
        '<rss version="2.0"><channel><title>q</title><item><guid>q-1</guid><title>big</title>'
        f"<description>{'&big;' * 20000}</description></item></channel></rss>"
    ).encode()
    feed, peak = _peak_while(lambda: parse_feed(body, URL))
    assert feed.entries[0].guid == "q-1"
    assert len(feed.entries[0].summary_html) < 200_000
    assert "x" * 100 not in feed.entries[0].summary_html
    assert peak < 50 * 1024 * 1024


def test_generated_feed_round_trips():
    feed = parse_feed(build_rss(50, feed_id="gen"), URL)
    assert len(feed.entries) == 50
    assert len({e.guid for e in feed.entries}) == 50
    assert feed.bozo_reason is None
