"""Full text for teaser feeds: an item's own page, fetched under every feed guard, its main text by trafilatura.

A feed that carries a title and a one-line teaser gives the classifier ten words; the page carries the
story. Pages come through ``fetch_feed`` (size cap, private-address refusal on every hop, timeouts), and
robots.txt is honoured as RFC 9309 reads it: a 4xx means no rules, an unreachable or failing one means
keep out for now.
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

import httpx
import trafilatura

from feeds.errors import FeedError, HTTPStatusError
from feeds.fetch import fetch_feed
from feeds.models import CacheValidators, Fetched
from feeds.safety import check_url_allowed
from model.settings import FetchLimits

__all__ = [
    "ArticleError",
    "NoArticleText",
    "NotAPage",
    "RobotsCache",
    "RobotsDisallowed",
    "extract_main_text",
    "fetch_article_text",
    "lead_paragraphs",
    "wants_full_text",
]

HTML_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.1"
_ROBOTS_ACCEPT = "text/plain, */*;q=0.1"
_ROBOTS_MAX_BYTES = 512 * 1024  # Google's limit; the RFC asks for at least 500 KiB
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_ROBOTS_AGENT = "Coopwatch"
_MIN_TEXT_CHARS = 80  # less is a menu or a caption, not a story
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n|\n")


class ArticleError(FeedError):
    """The page gave no usable text; the item keeps the feed's own text."""

    code = "article_error"


class RobotsDisallowed(ArticleError):
    code = "robots_disallowed"


class NotAPage(ArticleError):
    code = "not_a_page"


class NoArticleText(ArticleError):
    code = "no_article_text"


def wants_full_text(mode: str, summary: str, min_chars: int) -> bool:
    """``auto`` fetches the page only for a teaser (a description shorter than ``min_chars``)."""
    if mode == "always":
        return True
    return mode == "auto" and len(summary.strip()) < min_chars


@dataclass
class RobotsCache:
    """robots.txt per origin, kept for ``ttl`` seconds (an unreachable one for ``retry_after`` seconds)."""

    client: httpx.AsyncClient
    limits: FetchLimits
    ttl: float = 12 * 3600.0
    retry_after: float = 3600.0
    _rules: dict[str, tuple[float, RobotFileParser | None]] = field(default_factory=dict)
    _locks: dict[str, asyncio.Lock] = field(default_factory=dict)

    async def allows(self, url: str) -> bool:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        lock = self._locks.setdefault(origin, asyncio.Lock())
        async with lock:  # one robots.txt request per origin, however many items wait on it
            cached = self._rules.get(origin)
            if cached is None or cached[0] < time.monotonic():
                cached = await self._load(origin)
                self._rules[origin] = cached
        rules = cached[1]
        return rules is not None and rules.can_fetch(_ROBOTS_AGENT, url)

    async def _load(self, origin: str) -> tuple[float, RobotFileParser | None]:
        limits = replace(self.limits, max_body_bytes=_ROBOTS_MAX_BYTES)
        rules = RobotFileParser()
        try:
            response = await fetch_feed(
                self.client, origin + "/robots.txt", CacheValidators(), limits, accept=_ROBOTS_ACCEPT
            )
        except HTTPStatusError as exc:
            if 400 <= exc.status < 500 and exc.status != 429:  # a 429 is "come back later"
                rules.parse([])  # no robots.txt: no rules
                return time.monotonic() + self.ttl, rules
            return time.monotonic() + self.retry_after, None
        except FeedError:
            return time.monotonic() + self.retry_after, None
        text = response.body.decode("utf-8", errors="replace") if isinstance(response, Fetched) else ""
        rules.parse(text.splitlines())
        return time.monotonic() + self.ttl, rules


async def fetch_article_text(
    client: httpx.AsyncClient, url: str, limits: FetchLimits, robots: RobotsCache, *, max_bytes: int
) -> str:
    """The main text of the page at ``url``: paragraphs separated by newlines. Raises a FeedError leaf."""
    await check_url_allowed(url, allow_private=limits.allow_private_addresses)  # before robots.txt is asked
    if not await robots.allows(url):
        raise RobotsDisallowed(f"{url}: robots.txt disallows {_ROBOTS_AGENT}")
    page_limits = replace(limits, max_body_bytes=min(max_bytes, limits.max_body_bytes))
    response = await fetch_feed(client, url, CacheValidators(), page_limits, accept=HTML_ACCEPT)
    if not isinstance(response, Fetched):  # no validators were sent, so a 304 is the server's confusion
        raise NotAPage(f"{url}: answered 304 to an unconditional request")
    content_type = (response.content_type or "").split(";")[0].strip().lower()
    if content_type and content_type not in _HTML_TYPES:
        raise NotAPage(f"{url}: {content_type} is not a web page")
    text = await asyncio.to_thread(extract_main_text, response.body, response.url)
    if not text or len(text) < _MIN_TEXT_CHARS:
        raise NoArticleText(f"{url}: no article text found on the page")
    return text


def extract_main_text(body: bytes, url: str | None = None) -> str | None:
    """trafilatura's main text, leaning to precision: navigation, banners, related links and comments out.
    No deduplicate: its cache is process-wide, so a story syndicated on two sites would lose its text the
    second time."""
    return trafilatura.extract(
        body,
        url=url,
        favor_precision=True,
        include_comments=False,
        include_tables=False,
        include_images=False,
        include_links=False,
        with_metadata=False,
    )


def lead_paragraphs(text: str, title: str, max_chars: int = 700) -> str:
    """The first paragraphs up to ``max_chars``, without a repeat of the title; cut at a sentence if one is long."""
    paragraphs = [p.strip() for p in _PARAGRAPH_BREAK.split(text) if p.strip()]
    if paragraphs and paragraphs[0].casefold() == title.strip().casefold():
        paragraphs = paragraphs[1:]
    lead: list[str] = []
    used = 0
    for paragraph in paragraphs:
        if used + len(paragraph) > max_chars:
            if not lead:
                lead.append(_cut_at_sentence(paragraph, max_chars))
            break
        lead.append(paragraph)
        used += len(paragraph) + 1
    return "\n".join(lead)


def _cut_at_sentence(paragraph: str, max_chars: int) -> str:
    head = paragraph[:max_chars]
    stop = max(head.rfind(". "), head.rfind("! "), head.rfind("? "), head.rfind("。"))
    if stop > max_chars // 3:
        return head[: stop + 1]
    return head.rsplit(" ", 1)[0] + "…"
