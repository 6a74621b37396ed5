"""OPML in and out: the feed list as admins move it between readers and Coopwatch."""

from __future__ import annotations

import xml.etree.ElementTree as ET  # noqa: S405 - admins' uploads; expat resolves no external entities
from collections.abc import Sequence
from dataclasses import dataclass

MAX_OPML_BYTES = 1_000_000


class OpmlError(ValueError):
    """The upload is not OPML we can read; the message says why."""


@dataclass(frozen=True)
class OpmlFeed:
    url: str
    title: str | None


def parse_opml(data: bytes) -> list[OpmlFeed]:
    if len(data) > MAX_OPML_BYTES:
        raise OpmlError(f"file is larger than {MAX_OPML_BYTES // 1000} kB")
    if b"<!ENTITY" in data[:4096].upper():
        raise OpmlError("entity declarations are not accepted")
    try:
        root = ET.fromstring(data)  # noqa: S314 - size-capped, no entities (checked above)
    except ET.ParseError as exc:
        raise OpmlError(f"not well-formed XML ({exc})") from None
    if root.tag.lower() != "opml":
        raise OpmlError(f"root element is <{root.tag}>, not <opml>")
    feeds: dict[str, OpmlFeed] = {}
    for outline in root.iter("outline"):
        url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        if url.startswith(("http://", "https://")) and url not in feeds:
            feeds[url] = OpmlFeed(url, outline.get("title") or outline.get("text"))
    return list(feeds.values())


def build_opml(feeds: Sequence[OpmlFeed], title: str = "Coopwatch feeds") -> bytes:
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    body = ET.SubElement(root, "body")
    for feed in feeds:
        name = feed.title or feed.url
        ET.SubElement(body, "outline", type="rss", text=name, title=name, xmlUrl=feed.url)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
