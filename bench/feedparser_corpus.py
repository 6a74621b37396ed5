"""feedparser's own test corpus through Coopwatch's real poll path: crashes, stored items, refusals, encodings.

Every ``*.xml`` file of feedparser's ``tests/`` folder (about 2,100 feeds: well-formed, ill-formed, encodings,
entities) is served over HTTP on 127.0.0.1 with the headers its ``Header:`` comment names, stored as a feed in
a fresh SQLite database, and polled once by ``ingest.poller.Poller``: fetch, decode, parse, normalise, dedupe,
store. The files share links and texts ("http://example.com/"), so most entries become other sources of a
story stored from an earlier file, as the same story from two feeds would. Printed: crashes (an exception
the poller did not expect, code ``unexpected``, or one escaping it), the items stored, the files refused as
not a feed (and other refusals by code), and of the ``tests/encoding`` files how many decoded: polled
without error, with no U+FFFD in the stored feed title or item texts.

    .venv/bin/python bench/feedparser_corpus.py                     # extracts the corpus from the mirror
    .venv/bin/python bench/feedparser_corpus.py --tests /tmp/fp/tests --show 20

The corpus comes from ``git --git-dir=<mirror> archive HEAD tests`` (``--mirror``), or an extracted folder
(``--tests``). Exit status 1 when anything crashed.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from feeds.fetch import build_client  # noqa: E402
from ingest.poller import Poller  # noqa: E402
from model.polls import PollResult  # noqa: E402
from model.settings import FeedSettings, FetchLimits  # noqa: E402
from storage import feeds as feed_store  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.models import Feed, Item  # noqa: E402
from testkit.feedserver import FeedServer  # noqa: E402

MIRROR = Path("/work/.mirror/kurtmckee+feedparser/repo")
_HEADER = re.compile(rb"^Header:\s+([^:]+):(.*)$", re.MULTILINE)
REPLACEMENT = "\ufffd"


@dataclass
class Report:
    files: int = 0
    stored: int = 0
    duplicates: int = 0  # entries recorded as another source of a story stored from an earlier file
    crashes: list[tuple[str, str]] = field(default_factory=list)
    refused: Counter[str] = field(default_factory=Counter)  # error code -> files
    not_feed: list[str] = field(default_factory=list)
    encoding_files: int = 0
    encoding_decoded: int = 0
    encoding_failed: list[tuple[str, str]] = field(default_factory=list)


def extract_corpus(mirror: Path, into: Path) -> Path:
    """feedparser's tests/ folder from the mirror's HEAD, unpacked under ``into``."""
    archive = subprocess.run(
        ["git", f"--git-dir={mirror}", "archive", "HEAD", "tests"], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into / "tests"


def corpus_files(tests: Path) -> list[Path]:
    return sorted(p for p in tests.rglob("*.xml") if p.is_file())


def served_headers(body: bytes) -> tuple[str, dict[str, str]]:
    """The Content-Type and other headers a test file asks for (``Header: Content-type: ...`` comments);
    without one, plain application/xml with no charset, as a server that says nothing would send it."""
    content_type = "application/xml"
    headers: dict[str, str] = {}
    for name, value in _HEADER.findall(body[:2000]):
        key = name.decode("latin-1").strip()
        text = value.decode("latin-1").strip()
        if key.lower() == "content-type":
            content_type = text
        else:
            headers[key] = text
    return content_type, headers


def bench_settings() -> FeedSettings:
    limits = FetchLimits(connect_timeout=5, read_timeout=5, total_timeout=15, allow_private_addresses=True)
    return FeedSettings(
        limits=limits, jitter=0.0, max_concurrency=16, per_host_concurrency=16, parse_workers=0, full_text_per_poll=0
    )


async def run(tests: Path, show: int) -> Report:
    files = corpus_files(tests)
    report = Report(files=len(files))
    with tempfile.TemporaryDirectory(prefix="fp-corpus-") as tmp, FeedServer(Path(tmp)) as server:
        database = Database(f"sqlite+aiosqlite:///{Path(tmp) / 'corpus.db'}")
        await database.upgrade()
        by_url: dict[str, Path] = {}
        async with database.session() as session:
            for n, path in enumerate(files):
                body = path.read_bytes()
                content_type, headers = served_headers(body)
                url = server.set_feed(f"/corpus/{n}.xml", body, content_type=content_type, headers=headers)
                by_url[url] = path
                await feed_store.add_feed(session, url, interval=timedelta(hours=1))
        settings = bench_settings()
        async with build_client(settings.limits, max_connections=settings.max_concurrency) as client:
            poller = Poller(database, client, settings, None, worker="corpus")
            try:
                results = await poller.poll_due(all_feeds=True)
            except Exception as exc:  # noqa: BLE001  (the bench reports it)
                report.crashes.append(("<poll pass>", f"{type(exc).__name__}: {exc}"))
                results = []
        await _tally(database, results, by_url, tests, report)
        await database.engine.dispose()
    return report


async def _tally(
    database: Database, results: list[PollResult], by_url: dict[str, Path], tests: Path, report: Report
) -> None:
    async with database.read_session() as session:
        titles = {f.id: f.title or "" for f in (await session.scalars(select(Feed))).all()}
        texts: dict[int, list[str]] = {}
        for feed_id, title, summary in (await session.execute(select(Item.feed_id, Item.title, Item.summary))).all():
            texts.setdefault(feed_id, []).append(f"{title}\n{summary}")
    for result in results:
        path = by_url[result.url]
        name = str(path.relative_to(tests))
        report.stored += result.new_items
        report.duplicates += result.duplicates
        if result.status == "error":
            if result.error_code == "unexpected":
                report.crashes.append((name, result.error or ""))
            else:
                report.refused[result.error_code or "?"] += 1
                if result.error_code == "not_a_feed":
                    report.not_feed.append(name)
        if name.startswith("encoding/"):
            report.encoding_files += 1
            garbled = REPLACEMENT in titles.get(result.feed_id, "") or any(
                REPLACEMENT in text for text in texts.get(result.feed_id, [])
            )
            if result.status == "error":
                report.encoding_failed.append((name, f"{result.error_code}: {result.error}"))
            elif garbled:
                report.encoding_failed.append((name, "U+FFFD in the stored text"))
            else:
                report.encoding_decoded += 1


def print_report(report: Report, seconds: float, show: int) -> None:
    print(f"files: {report.files} (feedparser tests/*.xml), polled in {seconds:.0f} s")
    print(f"crashes: {len(report.crashes)}")
    for name, error in report.crashes[:show]:
        print(f"  {name}: {error[:200]}")
    print(f"stored items: {report.stored}, and {report.duplicates} entries kept as other sources of them")
    print(f"not a feed: {len(report.not_feed)}")
    for name in report.not_feed[:show]:
        print(f"  {name}")
    others = {code: n for code, n in report.refused.items() if code != "not_a_feed"}
    print("other refusals: " + (", ".join(f"{code} {n}" for code, n in sorted(others.items())) or "none"))
    print(f"encoding files decoded: {report.encoding_decoded} of {report.encoding_files}")
    for name, why in report.encoding_failed[:show]:
        print(f"  {name}: {why[:200]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tests", type=Path, help="an extracted feedparser tests/ folder")
    parser.add_argument("--mirror", type=Path, default=MIRROR, help="feedparser git directory to extract from")
    parser.add_argument("--show", type=int, default=10, help="list at most this many files per finding")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="fp-tests-") as tmp:
        tests = args.tests or extract_corpus(args.mirror, Path(tmp))
        started = time.monotonic()
        report = asyncio.run(run(tests, args.show))
        print_report(report, time.monotonic() - started, args.show)
    return 1 if report.crashes else 0


if __name__ == "__main__":
    raise SystemExit(main())
