"""A real HTTP feed server on 127.0.0.1 for tests and benchmarks.

It runs aiohttp in a background thread with its own event loop, so it serves the test's event
loop, other threads and subprocesses alike. Routes:

- ``/data/{name}``: a file from tests/data/feeds/ (``?ct=`` overrides the Content-Type)
- any path registered with ``set_feed``: an in-memory feed with ETag / Last-Modified and 304s
- ``/status/{code}`` (``?retry_after=``), ``/slow`` (trickles bytes; ``?delay=&chunks=``)
- ``/redirect/{n}`` (``?to=&status=``), ``/redirect-loop/a`` <-> ``/redirect-loop/b``
- ``/gzip-bomb`` (``?size=``), ``/oversize`` (``?size=&chunked=1``), ``/drop`` (closes mid-body)
- ``/html``, ``/empty``

Every request is logged (path, query, headers, time); read it with ``requests_for(path)``.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import random
import threading
import time
import zlib
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from xml.sax.saxutils import escape

from aiohttp import web

DATA_DIR = Path(__file__).resolve().parents[1] / "tests" / "data" / "feeds"
RSS_TYPE = "application/rss+xml; charset=utf-8"
_CONTENT_TYPES = {".xml": "application/xml", ".rss": RSS_TYPE, ".atom": "application/atom+xml"}


@dataclass(frozen=True, slots=True)
class RequestRecord:
    path: str
    query: str
    headers: Mapping[str, str]  # lower-case names
    time: float  # time.time()


@dataclass(slots=True)
class _Feed:
    body: bytes
    content_type: str
    etag: str
    last_modified: str
    gzipped: bytes | None
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 200


class FeedServer:
    """Start with ``start()`` or ``with FeedServer() as server:``; ``url(path)`` builds addresses."""

    def __init__(self, data_dir: Path = DATA_DIR, *, host: str = "127.0.0.1", log_limit: int = 200_000):
        self.data_dir = data_dir
        self.host = host
        self.port = 0
        self._feeds: dict[str, _Feed] = {}
        self._log: deque[RequestRecord] = deque(maxlen=log_limit)
        self._lock = threading.Lock()
        self._bombs: dict[int, bytes] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None

    # lifecycle ----------------------------------------------------------------------------------------------
    def start(self) -> FeedServer:
        ready = threading.Event()
        failure: list[BaseException] = []
        self._thread = threading.Thread(target=self._run, args=(ready, failure), name="feed-server", daemon=True)
        self._thread.start()
        ready.wait(10)
        if failure:
            raise RuntimeError("feed server did not start") from failure[0]
        return self

    def stop(self) -> None:
        if self._loop is None or self._runner is None:
            return
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)
        self._loop = self._runner = None

    def __enter__(self) -> FeedServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _run(self, ready: threading.Event, failure: list[BaseException]) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self._serve())
        except BaseException as exc:  # reported to start()
            failure.append(exc)
            ready.set()
            return
        self._loop = loop
        ready.set()
        loop.run_forever()
        loop.close()

    async def _serve(self) -> None:
        app = web.Application(middlewares=[self._record])
        app.router.add_get("/status/{code}", self._status)
        app.router.add_get("/slow", self._slow)
        app.router.add_get("/redirect/{n}", self._redirect)
        app.router.add_get("/redirect-loop/{side}", self._redirect_loop)
        app.router.add_get("/gzip-bomb", self._gzip_bomb)
        app.router.add_get("/oversize", self._oversize)
        app.router.add_get("/drop", self._drop)
        app.router.add_get("/html", self._html)
        app.router.add_get("/empty", self._empty)
        app.router.add_get("/data/{name}", self._data)
        app.router.add_get("/{tail:.*}", self._dynamic)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, 0, backlog=1024)
        await site.start()
        self.port = self._runner.addresses[0][1]

    # public helpers ----------------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url(self, path: str) -> str:
        return self.base_url + (path if path.startswith("/") else "/" + path)

    def set_feed(
        self,
        path: str,
        body: bytes,
        *,
        content_type: str = RSS_TYPE,
        gzip_body: bool = False,
        headers: Mapping[str, str] | None = None,
        last_modified: datetime | None = None,
        status: int = 200,
    ) -> str:
        """Serve ``body`` at ``path`` (replacing any earlier body) and return its full URL."""
        path = path if path.startswith("/") else "/" + path
        modified = last_modified or datetime.now(UTC).replace(microsecond=0)
        self._feeds[path] = _Feed(
            body=body,
            content_type=content_type,
            etag='"' + hashlib.sha1(body, usedforsecurity=False).hexdigest() + '"',
            last_modified=format_datetime(modified.astimezone(UTC), usegmt=True),
            gzipped=gzip.compress(body, compresslevel=5) if gzip_body else None,
            headers=dict(headers or {}),
            status=status,
        )
        return self.url(path)

    def remove_feed(self, path: str) -> None:
        self._feeds.pop(path if path.startswith("/") else "/" + path, None)

    @property
    def requests(self) -> list[RequestRecord]:
        with self._lock:
            return list(self._log)

    def requests_for(self, path: str) -> list[RequestRecord]:
        return [record for record in self.requests if record.path == path]

    def clear_requests(self) -> None:
        with self._lock:
            self._log.clear()

    # handlers ----------------------------------------------------------------------------------------------
    @web.middleware
    async def _record(self, request: web.Request, handler):  # type: ignore[no-untyped-def]
        record = RequestRecord(
            path=request.path,
            query=request.query_string,
            headers={name.lower(): value for name, value in request.headers.items()},
            time=time.time(),
        )
        with self._lock:
            self._log.append(record)
        return await handler(request)

    async def _dynamic(self, request: web.Request) -> web.StreamResponse:
        feed = self._feeds.get(request.path)
        if feed is None:
            return web.Response(status=404, text="no such feed\n")
        headers = {"ETag": feed.etag, "Last-Modified": feed.last_modified, **feed.headers}
        if _not_modified(request, feed):
            return web.Response(status=304, headers=headers)
        body = feed.body
        if feed.gzipped is not None and "gzip" in request.headers.get("Accept-Encoding", ""):
            body = feed.gzipped
            headers["Content-Encoding"] = "gzip"
        return web.Response(status=feed.status, body=body, headers={**headers, "Content-Type": feed.content_type})

    async def _data(self, request: web.Request) -> web.Response:
        path = (self.data_dir / request.match_info["name"]).resolve()
        if path.parent != self.data_dir.resolve() or not path.is_file():
            return web.Response(status=404, text="no such file\n")
        content_type = request.query.get("ct") or _CONTENT_TYPES.get(path.suffix, "application/xml")
        return web.Response(body=path.read_bytes(), headers={"Content-Type": content_type})

    async def _status(self, request: web.Request) -> web.Response:
        headers = {}
        if "retry_after" in request.query:
            headers["Retry-After"] = request.query["retry_after"]
        code = int(request.match_info["code"])
        return web.Response(status=code, text=f"status {code}\n", headers=headers)

    async def _slow(self, request: web.Request) -> web.StreamResponse:
        delay = float(request.query.get("delay", "0.2"))
        chunks = int(request.query.get("chunks", "100000"))
        response = web.StreamResponse(headers={"Content-Type": RSS_TYPE})
        await response.prepare(request)
        await response.write(b'<?xml version="1.0"?>\n<rss version="2.0"><channel><title>slow</title>')
        try:
            for _ in range(chunks):
                await asyncio.sleep(delay)
                await response.write(b" ")
            await response.write(b"</channel></rss>")
        except ConnectionError:  # the client gave up, as the timeout tests expect
            pass
        return response

    async def _redirect(self, request: web.Request) -> web.Response:
        n = int(request.match_info["n"])
        status = int(request.query.get("status", "302"))
        to = request.query.get("to", "/data/rss2.xml")
        location = to if n <= 1 else f"/redirect/{n - 1}?{request.query_string}"
        return web.Response(status=status, headers={"Location": location})

    async def _redirect_loop(self, request: web.Request) -> web.Response:
        other = "b" if request.match_info["side"] == "a" else "a"
        return web.Response(status=302, headers={"Location": f"/redirect-loop/{other}"})

    async def _gzip_bomb(self, request: web.Request) -> web.Response:
        size = int(request.query.get("size", str(64 * 1024 * 1024)))
        if size not in self._bombs:
            self._bombs[size] = _gzip_zeros(size)
        headers = {"Content-Type": RSS_TYPE, "Content-Encoding": "gzip"}
        return web.Response(body=self._bombs[size], headers=headers)

    async def _oversize(self, request: web.Request) -> web.StreamResponse:
        size = int(request.query.get("size", str(11 * 1024 * 1024)))
        response = web.StreamResponse(headers={"Content-Type": RSS_TYPE})
        if request.query.get("chunked") == "1":
            response.enable_chunked_encoding()
        else:
            response.content_length = size
        await response.prepare(request)
        block = b"<!-- padding -->" * 4096
        sent = 0
        try:
            while sent < size:
                piece = block[: size - sent]
                await response.write(piece)
                sent += len(piece)
        except ConnectionError:  # the client stopped at its cap
            pass
        return response

    async def _drop(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": RSS_TYPE})
        response.content_length = 10_000
        await response.prepare(request)
        await response.write(b'<?xml version="1.0"?><rss version="2.0">')
        if request.transport is not None:
            request.transport.close()
        return response

    async def _html(self, request: web.Request) -> web.Response:
        return web.Response(text=HTML_PAGE, content_type="text/html", charset="utf-8")

    async def _empty(self, request: web.Request) -> web.Response:
        return web.Response(body=b"", headers={"Content-Type": RSS_TYPE})


HTML_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Regional emergency portal</title></head>
<body><h1>Welcome</h1><p>Our news feed has moved. Please visit the front page.</p>
<ul><li><a href="/news">News</a></li><li><a href="/contacts">Contacts</a></li></ul></body></html>
"""


def _not_modified(request: web.Request, feed: _Feed) -> bool:
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        return feed.etag in {tag.strip() for tag in if_none_match.split(",")} or if_none_match.strip() == "*"
    since = request.headers.get("If-Modified-Since")
    if since:
        try:
            return parsedate_to_datetime(feed.last_modified) <= parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
    return False


def _gzip_zeros(size: int) -> bytes:
    """A few KB of gzip that inflate to ``size`` zero bytes."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = b"\0" * (1 << 20)
    parts = [compressor.compress(block) for _ in range(size >> 20)]
    parts.append(compressor.compress(block[: size & ((1 << 20) - 1)]))
    parts.append(compressor.flush())
    return b"".join(parts)


_WORDS = (  # noqa: SIM905 - a sentence reads better than a list here
    "Kazakhstan Kyrgyzstan Tajikistan Uzbekistan Turkmenistan flood mudflow earthquake drill ministry "
    "emergency health vaccination outbreak rescuers border cooperation training laboratory water shelter "
    "avalanche exercise hospital supplies convoy seismic regional centre agreement experts warning"
).split()


def build_rss(
    n_items: int,
    *,
    feed_id: str = "feed",
    title: str | None = None,
    link_base: str = "https://news.example.org",
    start: datetime | None = None,
    seed: int = 0,
) -> bytes:
    """An RSS 2.0 document with ``n_items`` distinct items (guid ``{feed_id}-{i}``), newest first."""
    rng = random.Random(f"{feed_id}:{seed}")
    start = start or datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
    items = []
    for i in range(n_items):
        words = rng.sample(_WORDS, 9)
        item_title = f"{feed_id} report {i}: {' '.join(words[:5])}"
        summary = f"<p>{' '.join(words)} in item {i} of {feed_id}; officials shared details &amp; data.</p>"
        published = format_datetime(start + timedelta(minutes=10 * (n_items - i)), usegmt=True)
        items.append(
            f"<item><title>{escape(item_title)}</title>"
            f"<link>{link_base}/{feed_id}/{i}?utm_source=rss</link>"
            f'<guid isPermaLink="false">{feed_id}-{i}</guid>'
            f"<pubDate>{published}</pubDate><description>{escape(summary)}</description></item>"
        )
    channel_title = escape(title or f"Test feed {feed_id}")
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>{channel_title}</title><link>{link_base}/{feed_id}</link><language>en</language>"
        f"<description>Generated feed</description>{''.join(items)}</channel></rss>"
    ).encode()
