"""OPML in and out: the feed list as admins move it between readers and Coopwatch."""

from __future__ import annotations

import xml.etree.ElementTree as ET  # noqa: S405 - only to build the export; uploads go through defusedxml
from collections.abc import Sequence
from dataclasses import dataclass

import defusedxml
import defusedxml.ElementTree as SafeET
import httpx

MAX_OPML_BYTES = 1_000_000
DOWNLOAD_TIMEOUT = 30.0


class OpmlError(ValueError):
    """The upload is not OPML we can read; the message says why."""


@dataclass(frozen=True)
class OpmlFeed:
    url: str
    title: str | None


def check_size(size: int | None) -> None:
    """Telegram's ``file_size`` for an upload, checked before anything is downloaded."""
    if size is not None and size > MAX_OPML_BYTES:
        raise OpmlError(f"file is larger than {MAX_OPML_BYTES // 1000} kB ({size} bytes)")


async def download_capped(url: str, cap: int = MAX_OPML_BYTES) -> bytes:
    """GET a Telegram file, stopped as soon as more than ``cap`` bytes have arrived (``file_size`` may be
    missing or wrong). The URL carries the bot token, so errors name neither it nor the URL."""
    chunks: list[bytes] = []
    total = 0
    try:
        async with (
            httpx.AsyncClient(timeout=DOWNLOAD_TIMEOUT) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code != 200:
                raise OpmlError(f"Telegram did not hand over the file (HTTP {response.status_code})")
            async for chunk in response.aiter_raw():
                total += len(chunk)
                if total > cap:
                    raise OpmlError(f"file is larger than {cap // 1000} kB")
                chunks.append(chunk)
    except httpx.HTTPError as exc:
        raise OpmlError(f"the download from Telegram failed ({type(exc).__name__})") from None
    return b"".join(chunks)


def parse_opml(data: bytes) -> list[OpmlFeed]:
    """The feeds of an OPML upload. defusedxml refuses a DTD, entity declarations and external references
    wherever they are in the document and whatever its encoding (UTF-16, a long comment first)."""
    check_size(len(data))
    try:
        root = SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except defusedxml.DTDForbidden:
        raise OpmlError("document type declarations (and the entities they carry) are not accepted") from None
    except defusedxml.EntitiesForbidden:
        raise OpmlError("entity declarations are not accepted") from None
    except defusedxml.DefusedXmlException as exc:
        raise OpmlError(f"refused: {type(exc).__name__}") from None
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
