"""normalise_entry, dedupe_entries and the fingerprints."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from feeds.models import RawEntry
from feeds.normalise import (
    canonical_url,
    dedupe_entries,
    hamming,
    html_to_text,
    normalise_entry,
    simhash,
    simhash_bands,
)
from feeds.parse import parse_feed
from testkit.feedserver import DATA_DIR

FETCHED = datetime(2025, 3, 20, 12, 0, tzinfo=UTC)


def entry(**fields: object) -> RawEntry:
    defaults = {"guid": "g-1", "link": None, "title": "Title", "summary_html": "Summary", "published": None}
    return RawEntry(**{**defaults, **fields})


def normalise(raw: RawEntry, **options: object):
    return normalise_entry(raw, fetched_at=FETCHED, feed_language="en", **options)


def items_of(name: str):
    feed = parse_feed((DATA_DIR / name).read_bytes(), "https://feeds.example.org/rss")
    return [normalise_entry(e, fetched_at=FETCHED, feed_language=feed.language) for e in feed.entries]


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>Teams from <b>Kazakhstan</b>&nbsp;and Kyrgyzstan.</p><p>Second part.</p>",
         "Teams from Kazakhstan and Kyrgyzstan. Second part."),
        ("before<script>alert('x')</script><style>p{color:red}</style>after", "beforeafter"),
        ("Line one<br>line two<br/>line three", "Line one line two line three"),
        ("Fish &amp; chips &lt;hot&gt; &#8212; &eacute;t&eacute;", "Fish & chips <hot> — été"),
        ("  spaced \n\n\t out   text  ", "spaced out text"),
        ("<ul><li>one</li><li>two</li></ul>", "one two"),
        ("", ""),
    ],
)  # fmt: skip
def test_html_to_text(html, text):
    assert html_to_text(html) == text


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("https://News.Example.ORG/a?utm_source=rss&utm_medium=feed&id=17",
         "https://news.example.org/a?id=17"),
        ("HTTP://example.org:80/path?b=2&a=1#section", "http://example.org/path?a=1&b=2"),
        ("https://example.org:443/x?fbclid=abc&gclid=1&yclid=2&_openstat=3&mc_cid=4&mc_eid=5",
         "https://example.org/x"),
        ("https://example.org:8443/x?UTM_Campaign=z&q=flood", "https://example.org:8443/x?q=flood"),
        ("https://example.org", "https://example.org/"),
    ],
)  # fmt: skip
def test_canonical_url(url, canonical):
    assert canonical_url(url) == canonical


def test_normalised_item_fields():
    raw = entry(
        guid=" seb-1 ",
        link="https://Bulletin.example.org/n?utm_source=rss#top",
        title="<b>Mudflow</b> drill",
        summary_html="<p>Villages&nbsp;evacuated.</p>",
        published=datetime(2025, 3, 4, 6, 30, tzinfo=timezone(timedelta(hours=5))),
        extras={"gdacs:alertlevel": "Orange"},
    )
    item = normalise(raw)
    assert item.guid == "seb-1"
    assert item.url == "https://bulletin.example.org/n"
    assert item.title == "Mudflow drill"
    assert item.summary == "Villages evacuated."
    assert item.published == datetime(2025, 3, 4, 1, 30, tzinfo=UTC)
    assert item.published.tzinfo is UTC
    assert item.language == "en"
    assert item.extras == {"gdacs:alertlevel": "Orange"}
    assert len(item.content_hash) == 64


def test_guid_falls_back_to_link_then_content_hash():
    with_link = normalise(entry(guid=None, link="https://example.org/a?utm_term=x"))
    assert with_link.guid == "https://example.org/a"
    bare = normalise(entry(guid=None, link=None))
    assert bare.guid == f"sha256:{bare.content_hash}"


def test_entries_without_guid_link_or_date_from_a_feed():
    items = items_of("no-ids.xml")
    assert [item.guid.startswith("sha256:") for item in items] == [True, True, True]
    assert len({item.guid for item in items}) == 3
    assert all(item.published == FETCHED and item.url is None for item in items)
    # No title at all: the summary's start stands in, so the item is never shown blank.
    assert items[2].title.startswith("A notice with neither title")


def test_missing_date_falls_back_to_fetch_time():
    assert normalise(entry(published=None)).published == FETCHED


def test_far_future_date_is_clamped_but_near_future_kept():
    near = FETCHED + timedelta(hours=30)
    assert normalise(entry(published=near)).published == near
    assert normalise(entry(published=FETCHED + timedelta(days=3))).published == FETCHED
    assert normalise(entry(published=FETCHED + timedelta(hours=2)), max_future=timedelta(hours=1)).published == FETCHED


def test_naive_dates_are_taken_as_utc():
    item = normalise_entry(
        entry(published=datetime(2025, 1, 1, 10, 0)), fetched_at=datetime(2025, 1, 2), feed_language=None
    )
    assert item.published == datetime(2025, 1, 1, 10, 0, tzinfo=UTC)


def test_content_hash_ignores_case_and_spacing_only():
    a = normalise(entry(title="Flood  Warning", summary_html="<p>Rivers rising</p>"))
    b = normalise(entry(title="flood warning", summary_html="Rivers\n rising"))
    c = normalise(entry(title="flood warning", summary_html="Rivers falling"))
    assert a.content_hash == b.content_hash != c.content_hash


def test_entry_language_wins_over_feed_language():
    assert normalise(entry(language="ru")).language == "ru"
    assert normalise(entry(language=None)).language == "en"


def test_dedupe_by_guid_then_link():
    kept = dedupe_entries(items_of("dup-guids.xml"))
    assert [item.title for item in kept] == [
        "Rescue helicopters moved closer to the passes",  # first wire-101 wins over its update
        "Radiation monitors calibrated at border posts",  # utm_ variant of the same link dropped
        "Same text, no link",  # no guid, no link: its guid is its text's hash, which the repeat shares
    ]


def test_dedupe_keeps_a_second_guid_with_the_same_text():
    # ingest stores the pair as one story with the second URL as another source (tests/ingest)
    items = [normalise(entry(guid=f"g{i}", link=f"https://paper{i}.example.org/a")) for i in range(2)]
    assert dedupe_entries(items) == items


def test_dedupe_keeps_distinct_items_and_order():
    items = [normalise(entry(guid=f"g{i}", title=f"Story {i}", summary_html=f"Body {i}")) for i in range(5)]
    assert dedupe_entries(items) == items


def test_an_entry_with_no_title_summary_or_usable_link_is_left_out():
    assert normalise(entry(guid="g0", title="", summary_html="<p> </p>")) is None
    assert normalise(entry(guid="g1", title="", summary_html="", link="javascript:alert(1)")) is None
    link_only = normalise(entry(guid="g2", title="", summary_html="", link="https://example.org/a"))
    assert link_only is not None and link_only.url == "https://example.org/a"


@pytest.mark.parametrize(
    "scheme",
    [
        "javascript:alert(1)",
        "vbscript:x",
        "data:text/html,x",
        "file:///etc/passwd",
        "ftp://example.org/a",
        "tg://resolve?domain=x",
        "mailto:a@example.org",
    ],
)
def test_only_http_and_https_links_are_kept(scheme):
    assert normalise(entry(link=scheme)).url is None
    assert normalise(entry(link="HTTPS://Example.org/a")).url == "https://example.org/a"


STORY = (
    "Rescue teams from Kazakhstan and Kyrgyzstan held a joint exercise in a mountain gorge on Tuesday, "
    "practising the evacuation of two villages after a simulated mudflow. About two hundred rescuers, "
    "three helicopters and a field hospital took part, and officials said the drill will be repeated in autumn."
)
EDITED = STORY.replace("Tuesday", "Wednesday").replace("About two hundred", "Some 200")
UNRELATED = (
    "The health ministry of Uzbekistan received a shipment of measles vaccines that will be sent to border "
    "districts where cases have risen this winter, according to a statement published by the ministry."
)


def test_simhash_near_duplicates_are_close_and_unrelated_far():
    near = hamming(simhash(STORY), simhash(EDITED))
    far = hamming(simhash(STORY), simhash(UNRELATED))
    assert near <= 10
    assert far >= 20
    assert hamming(simhash(STORY), simhash(STORY.upper())) == 0


def test_simhash_works_for_cyrillic_and_chinese():
    ru = (
        "Спасатели Казахстана и Кыргызстана провели совместные учения в горном ущелье, отрабатывая "
        "эвакуацию жителей двух сёл после условного схода селя. В учениях участвовали около двухсот "
        "человек, три вертолёта и полевой госпиталь."
    )
    assert hamming(simhash(ru), simhash(ru.replace("горном", "высокогорном"))) <= 10
    zh = "中哈两国举行边境地震救援联合演练，来自两国的救援队在霍尔果斯附近演练了倒塌建筑中的搜救行动"
    assert hamming(simhash(zh), simhash(zh.replace("附近", "周边"))) <= 10
    assert hamming(simhash(zh), simhash(ru)) >= 16


def test_simhash_is_signed_64_bit_and_banded():
    values = [simhash(f"story number {i} about floods and rescue teams") for i in range(200)]
    assert all(-(2**63) <= v < 2**63 for v in values)
    assert any(v < 0 for v in values) and any(v > 0 for v in values)
    for v in values:
        bands = simhash_bands(v)
        assert all(0 <= band <= 0xFFFF for band in bands)
        assert (bands[0] << 48 | bands[1] << 32 | bands[2] << 16 | bands[3]) == v & (2**64 - 1)
    assert simhash("") == 0


def test_hamming():
    assert hamming(0, 0) == 0
    assert hamming(-1, 0) == 64
    assert hamming(0b1011, 0b0001) == 2
    assert hamming(-(2**63), 2**63 - 1) == 64


def test_items_carry_their_simhash():
    item = normalise(entry(title="Joint drill", summary_html=STORY))
    assert item.simhash == simhash(f"Joint drill\n{STORY}")


def test_a_normalised_item_survives_the_trip_from_the_parse_process() -> None:
    import dataclasses
    import pickle

    item = normalise(entry(link="https://a.example/x?utm_source=rss", summary_html="<p>Text &amp; more</p>"))
    item = dataclasses.replace(item, extras={"gdacs:alertlevel": "Red"})
    assert pickle.loads(pickle.dumps(item)) == item
    # __reduce__ lists the fields by hand: it must name every one, in order.
    assert item.__reduce__()[1] == tuple(getattr(item, f.name) for f in dataclasses.fields(item))
