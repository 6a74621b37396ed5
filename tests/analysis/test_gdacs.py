from __future__ import annotations

from datetime import UTC, datetime

from analysis import ItemText
from feeds.normalise import normalise_entries
from feeds.parse import parse_feed

GDACS_RSS = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:gdacs="http://www.gdacs.org" xmlns:geo="http://www.w3.org/2003/01/geo/wgs84_pos#">
<channel><title>GDACS RSS information</title><link>https://www.gdacs.org/</link>
<item>
  <title>Red alert for tropical cyclone SAMPLE-24. Population affected by Category 1 winds: 2.1 million.</title>
  <description>From 12/09/2024 to 15/09/2024, a Typhoon SAMPLE-24 was active in NWPacific.</description>
  <link>https://www.gdacs.org/report.aspx?eventtype=TC&amp;eventid=1</link>
  <guid isPermaLink="false">TC1</guid>
  <pubDate>Thu, 12 Sep 2024 06:00:00 GMT</pubDate>
  <gdacs:eventtype>TC</gdacs:eventtype>
  <gdacs:alertlevel>Red</gdacs:alertlevel>
  <gdacs:country>China, Viet Nam</gdacs:country>
  <gdacs:iso3>CHN,VNM</gdacs:iso3>
</item>
<item>
  <title>Green alert for volcano eruption</title>
  <description>A minor eruption with ash was reported.</description>
  <link>https://www.gdacs.org/report.aspx?eventtype=VO&amp;eventid=2</link>
  <guid isPermaLink="false">VO2</guid>
  <pubDate>Thu, 12 Sep 2024 07:00:00 GMT</pubDate>
  <gdacs:eventtype>VO</gdacs:eventtype>
  <gdacs:alertlevel>Green</gdacs:alertlevel>
  <gdacs:country>Indonesia</gdacs:country>
  <gdacs:iso3>IDN</gdacs:iso3>
</item>
</channel></rss>"""


def _items():
    """The GDACS bytes through the real parser and normaliser, as ingest hands them to the annotator."""
    feed = parse_feed(GDACS_RSS, "https://www.gdacs.org/xml/rss.xml", "application/rss+xml")
    items = normalise_entries(feed.entries, fetched_at=datetime(2024, 9, 12, 8, tzinfo=UTC), feed_language=None)
    return [ItemText(e.title, e.summary, e.language, e.published, dict(e.extras)) for e in items]


def test_parser_keeps_the_gdacs_fields():
    feed = parse_feed(GDACS_RSS, "https://www.gdacs.org/xml/rss.xml", "application/rss+xml")
    assert feed.entries[0].extras["gdacs:alertlevel"] == "Red"
    assert feed.entries[0].extras["gdacs:iso3"] == "CHN,VNM"


def test_red_alert_is_sent_as_disaster_risk_with_its_countries(annotator):
    red, green = annotator.annotate_many(_items())
    assert red.band == "send" and red.topics[0] == "disaster_risk"
    assert red.countries[:2] == ["CN", "VN"]
    assert red.evidence["disaster_risk"]["structured"]["alert_level"] == "Red"
    assert "disaster_risk" not in green.topics and "disaster_risk" in green.review_topics
    assert green.countries[0] == "ID"


def test_items_without_fields_are_left_to_the_text(annotator):
    plain = annotator.annotate(ItemText("Football club wins the cup", "", None, None, {}))
    assert plain.topics == [] and "structured" not in plain.evidence["disaster_risk"]
