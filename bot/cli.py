"""Command line: ``python -m bot <command>`` (also installed as ``coopwatch``)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Sequence
from contextlib import nullcontext
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TextIO

from sqlalchemy.engine import make_url

from analysis import ClassifierError
from analysis.cli import run_annotate
from analysis.config import DEFAULT_EXAMPLES_PATH
from analysis.retrain import RetrainOutcome
from bot import admin_cli
from bot.bootstrap import load_annotator, open_database, process_worker_id, retrained_classifier_path
from bot.ops.logs import configure_logging
from bot.queries import events_command, feeds_command, items_command, search_command, trends_command
from bot.settings import ConfigError, Settings, load_settings
from feeds.fetch import build_client
from ingest.poller import Poller, make_parse_pool
from ingest.retrain import retrain_from_teaching
from model.polls import PollResult
from storage.retention import PruneReport, prune_database

log = logging.getLogger("coopwatch")


RUN_DESCRIPTION = """\
Poll the configured feeds, annotate new stories, deliver alerts and answer the bot's commands, in one process.

With TELEGRAM_BOT_TOKEN set (from @BotFather) the bot talks to Telegram. Without it, console mode: a chat in
this terminal with the same bot. You type as a private-chat user who is also an admin; the bot's messages are
printed as text, a number presses one of the numbered buttons, and /quit (or end of input) leaves.
When none of the configured feeds answers (offline), console mode shows the bundled demo feeds instead;
--demo asks for them directly. The demo uses its own database (coopwatch-demo.db beside the real one).

The configuration is read from --config (default ./config.toml, given before the command:
python -m bot --config my.toml run). COOPWATCH_DATABASE_URL overrides database.url."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="coopwatch", description="Coopwatch news monitor and Telegram bot")
    parser.add_argument("--config", type=Path, default=Path("config.toml"), help="configuration file")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser(
        "run",
        help="poll feeds, annotate, deliver and run the bot (console mode without a token)",
        description=RUN_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument(
        "--demo", action="store_true", help="a console chat over the bundled sample feeds, in a separate database"
    )

    worker = sub.add_parser("worker", help="a worker without Telegram updates: poll feeds, deliver the outbox, or both")
    worker.add_argument("--role", choices=["poll", "deliver", "all"], required=True)
    worker.add_argument("--worker-id", help="name for its claims (default host:role:pid); keep it per systemd instance")
    worker.add_argument("--metrics-port", type=_port, help="serve /metrics and /healthz on this port (0: any free)")

    poll = sub.add_parser("poll", help="poll feeds")
    poll.add_argument("--once", action="store_true", required=True, help="one pass, then exit")
    poll.add_argument("--all", action="store_true", help="every active feed, not only the due ones")

    feeds = sub.add_parser("feeds", help="list, add or remove feeds")
    feeds_sub = feeds.add_subparsers(dest="feeds_command", required=True, metavar="ACTION")
    feeds_sub.add_parser("list", help="every feed with its health")
    add = feeds_sub.add_parser("add", help="add a feed")
    add.add_argument("url")
    add.add_argument("--name", help="display name in alerts and lists (default: the feed's title, else its host)")
    remove = feeds_sub.add_parser("remove", help="remove a feed and its items")
    remove.add_argument("url")

    items = sub.add_parser("items", help="stored items")
    items.add_argument("--json", action="store_true", help="JSON lines instead of readable text")
    items.add_argument("--limit", type=_positive, default=50)

    db = sub.add_parser("db", help="database maintenance")
    db.add_argument("db_command", choices=["upgrade", "prune"])
    db.add_argument("--dry-run", action="store_true", help="prune: print what would be removed, remove nothing")

    search = sub.add_parser("search", help='search stored items: words, "phrases", -words, OR, topic: country: ...')
    search.add_argument("query")
    search.add_argument("--json", action="store_true", help="JSON lines instead of readable text")
    search.add_argument("--limit", type=_positive, default=20)

    events = sub.add_parser("events", help="the events calendar")
    events.add_argument("--json", action="store_true", help="JSON lines instead of readable text")
    events.add_argument("--upcoming", action="store_true", help="only events that have not ended")

    trends = sub.add_parser("trends", help="chart daily item counts as a PNG")
    trends.add_argument("--out", type=Path, required=True, help="PNG file to write")
    trends.add_argument("--by", choices=["topic", "country"], default="topic")
    trends.add_argument("--days", type=_positive, default=30)
    trends.add_argument("--topic")
    trends.add_argument("--country")
    trends.add_argument("--lang", choices=["en", "ru"], default="en")

    sub.add_parser("annotate", help="annotate JSON lines from stdin, one JSON line out per item")
    topics = sub.add_parser("topics", help="topic classifier")
    topics.add_argument("topics_command", choices=["retrain"])
    topics.add_argument(
        "--force", action="store_true", help="save the model even when it is worse by more than 2 points macro-F1"
    )
    admin_cli.add_parsers(sub)
    return parser


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from exc
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, got {value}")
    return value


def _port(text: str) -> int:
    value = _positive(text) if text != "0" else 0
    if value > 65535:
        raise argparse.ArgumentTypeError(f"expected a port up to 65535, got {value}")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings(args.config, os.environ)
    except ConfigError as exc:
        print(f"coopwatch: configuration error: {exc}", file=sys.stderr)
        return 2
    configure_logging(settings.logging, token=settings.bot.token)
    handler = _COMMANDS[args.command]
    try:
        return handler(args, settings)
    except ConfigError as exc:  # found at start-up (a [[feeds.sources]] URL the address check refuses)
        print(f"coopwatch: configuration error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _run(args: argparse.Namespace, settings: Settings) -> int:
    # The bot pulls in python-telegram-bot and the annotator: only `run` waits for them.
    from bot.run import run

    return asyncio.run(run(settings, demo=args.demo))


def _worker(args: argparse.Namespace, settings: Settings) -> int:
    # A worker pulls in python-telegram-bot, APScheduler and the annotator: only `worker` waits for them.
    from bot.worker import WorkerError, run_worker

    try:
        asyncio.run(run_worker(settings, args.role, worker_id=args.worker_id, metrics_port=args.metrics_port))
    except WorkerError as exc:
        print(f"coopwatch: {exc}", file=sys.stderr)
        return 2
    return 0


def _db(args: argparse.Namespace, settings: Settings) -> int:
    if args.db_command == "prune":
        return asyncio.run(_prune(settings, dry_run=args.dry_run))

    async def upgrade() -> None:
        async with open_database(settings) as _database:
            pass

    asyncio.run(upgrade())
    print(f"database at {_safe_url(settings.database_url)} is up to date")
    return 0


async def _prune(settings: Settings, *, dry_run: bool) -> int:
    """``db prune [--dry-run]``: the daily retention pass now, with what it removes (or would)."""
    now = datetime.now(UTC)
    keep = settings.retention
    async with open_database(settings) as database:
        report = await prune_database(
            database,
            now=now,
            outbox_before=now - timedelta(days=keep.outbox_days),
            items_before=now - timedelta(days=keep.items_days),
            dry_run=dry_run,
        )
    print(_prune_summary(report, items_days=keep.items_days, outbox_days=keep.outbox_days))
    return 0


def _prune_summary(report: PruneReport, *, items_days: float, outbox_days: float) -> str:
    counts = report.counts
    verb = "would remove" if report.dry_run else "removed"
    line = (
        f"{verb} {counts.items} items older than {items_days:g} days and {counts.outbox} finished outbox rows "
        f"older than {outbox_days:g} days (unsent alerts, digest-held ones and the stories they point at stay)"
    )
    if report.size_before is not None and report.size_after is not None and not report.dry_run:
        line += f"\nSQLite file: {report.size_before / 1e6:.1f} MB before, {report.size_after / 1e6:.1f} MB after"
    return line


def _poll(args: argparse.Namespace, settings: Settings) -> int:
    out = sys.stdout
    annotator = load_annotator(settings)

    async def poll() -> list[PollResult]:
        async with open_database(settings) as database:
            client = build_client(settings.feeds.limits, max_connections=settings.feeds.max_concurrency)
            pool = make_parse_pool(settings.feeds.parse_workers)
            poller = Poller(
                database, client, settings.feeds, annotator, parse_pool=pool, worker=process_worker_id("poll")
            )
            try:
                with _progress(out) as progress:
                    task = progress.add_task("polling", total=None) if progress else None

                    def report(result: PollResult) -> None:
                        line = f"{result.url}: {result.describe()}"
                        if progress is not None:
                            progress.console.print(line, markup=False, highlight=False)
                            progress.advance(task)
                        else:
                            print(line, file=out, flush=True)

                    return await poller.poll_due(all_feeds=args.all, on_result=report)
            finally:
                if pool is not None:
                    pool.shutdown()
                await client.aclose()

    results = asyncio.run(poll())
    failed = sum(r.status == "error" for r in results)
    new = sum(r.new_items for r in results)
    print(f"{len(results)} feeds polled: {new} new items, {failed} failed", file=out)
    return 0  # a failing feed is reported, not a failed run


def _progress(out: TextIO):  # noqa: ANN202
    if not out.isatty():
        return nullcontext(None)
    # rich's progress bar takes a tenth of a second to load, and only a terminal shows it.
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn

    return Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())


def _feeds(args: argparse.Namespace, settings: Settings) -> int:
    return asyncio.run(feeds_command(settings, args.feeds_command, args.url if "url" in args else None, args))


def _items(args: argparse.Namespace, settings: Settings) -> int:
    return asyncio.run(items_command(settings, args.limit, sys.stdout, as_json=args.json))


def _search(args: argparse.Namespace, settings: Settings) -> int:
    return asyncio.run(
        search_command(settings, args.query, min(args.limit, 100), sys.stdout, sys.stderr, as_json=args.json)
    )


def _events(args: argparse.Namespace, settings: Settings) -> int:
    return asyncio.run(events_command(settings, args.upcoming, sys.stdout, as_json=args.json))


def _trends(args: argparse.Namespace, settings: Settings) -> int:
    country = args.country.upper() if args.country else None
    return asyncio.run(
        trends_command(
            settings, args.out, group_by=args.by, days=args.days, topic=args.topic, country=country, lang=args.lang
        )
    )


def _annotate(args: argparse.Namespace, settings: Settings) -> int:
    return run_annotate(load_annotator(settings), sys.stdin, sys.stdout, sys.stderr)


def _topics(args: argparse.Namespace, settings: Settings) -> int:
    """``topics retrain [--force]``: the shipped corpus plus what admins and readers taught, figures before and
    after, the model beside the database (the next start loads it)."""
    examples = Path(settings.analysis.examples_path or DEFAULT_EXAMPLES_PATH)

    async def retrain() -> RetrainOutcome:
        async with open_database(settings) as database:
            return await retrain_from_teaching(
                database,
                settings.topics,
                settings.analysis,
                corpus_path=examples,
                out_path=retrained_classifier_path(settings),
                quorum=settings.review.feedback_quorum,
                folds=settings.review.retrain_folds,
                force=args.force,
            )

    try:
        outcome = asyncio.run(retrain())
    except (ClassifierError, OSError) as exc:
        print(f"coopwatch: retrain failed: {exc}", file=sys.stderr)
        return 1
    print(f"corpus {examples}, {outcome.added} examples from review decisions and feedback, {outcome.embedder}")
    print(retrain_figures(outcome))
    if not outcome.accepted:
        print(
            f"refused: macro-F1 would fall by {-outcome.change * 100:.1f} points (more than 2); "
            f"the model at {outcome.out_path} is unchanged; --force saves it anyway",
            file=sys.stderr,
        )
        return 1
    print(f"weights written to {outcome.out_path}; restart Coopwatch to use them")  # load_annotator finds them
    return 0


def retrain_figures(outcome: RetrainOutcome) -> str:
    """The cross-validated F1 per topic, before and after, as a plain table."""
    width = max(len(t) for t in outcome.before.f1) + 2
    lines = [
        f"{'topic':<{width}}{'before':>8}{'after':>8}",
        f"{'(examples)':<{width}}{outcome.before.examples:>8}{outcome.after.examples:>8}",
    ]
    for topic, before in outcome.before.f1.items():
        lines.append(f"{topic:<{width}}{before * 100:>8.1f}{outcome.after.f1[topic] * 100:>8.1f}")
    lines.append(f"{'macro-F1':<{width}}{outcome.before.macro_f1 * 100:>8.1f}{outcome.after.macro_f1 * 100:>8.1f}")
    return "\n".join(lines)


def _safe_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


_COMMANDS = {
    "run": _run,
    "worker": _worker,
    "poll": _poll,
    "feeds": _feeds,
    "items": _items,
    "db": _db,
    "search": _search,
    "events": _events,
    "trends": _trends,
    "annotate": _annotate,
    "topics": _topics,
    "chats": lambda args, settings: asyncio.run(admin_cli.chats_command(settings, args)),
    "subs": lambda args, settings: asyncio.run(admin_cli.subs_command(settings, args)),
}
