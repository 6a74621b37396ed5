"""Typed settings from config.toml plus the environment.

Every table is read through a ``_Table`` that names the dotted key in each error and refuses keys it does
not know, so a typo is never silently ignored. Secrets (the bot token) come only from the environment.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

from analysis import AnalysisSettings, Topic, TopicConfigError, analysis_settings_from_toml, load_topics
from model.feed_names import FeedNameError, check_feed_name
from model.settings import (
    FULL_TEXT_MODES,
    BotSettings,
    DeliverySettings,
    FeedSettings,
    FeedSourceConfig,
    FetchLimits,
    ReviewSettings,
    WebhookSettings,
    WebSubSettings,
)

T = TypeVar("T")

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///data/coopwatch.db"
ENV_TOKEN = "TELEGRAM_BOT_TOKEN"
ENV_BASE_URL = "TELEGRAM_API_BASE_URL"
ENV_BASE_FILE_URL = "TELEGRAM_API_BASE_FILE_URL"
ENV_DATABASE_URL = "COOPWATCH_DATABASE_URL"
ENV_WEBHOOK_SECRET = "COOPWATCH_WEBHOOK_SECRET"


class ConfigError(ValueError):
    """A bad configuration value; the message names the dotted key and what was expected."""


@dataclass(frozen=True)
class MetricsSettings:
    """The operations endpoint: Prometheus metrics at /metrics and health at /healthz."""

    enabled: bool = False
    listen: str = "127.0.0.1"
    port: int = 9464


@dataclass(frozen=True)
class LoggingSettings:
    level: str = "INFO"
    format: str = "text"


@dataclass(frozen=True)
class RetentionSettings:
    """``[retention]``: days kept before the daily prune deletes (bot/jobs.py, storage/retention.py). Unsent
    outbox rows, the items they point at and items announcing events not yet over are kept whatever their age."""

    items_days: float = 365.0
    outbox_days: float = 30.0


@dataclass(frozen=True)
class Settings:
    path: Path | None
    database_url: str = DEFAULT_DATABASE_URL
    bot: BotSettings = BotSettings()
    feeds: FeedSettings = FeedSettings()
    delivery: DeliverySettings = DeliverySettings()
    logging: LoggingSettings = LoggingSettings()
    metrics: MetricsSettings = MetricsSettings()
    retention: RetentionSettings = RetentionSettings()
    review: ReviewSettings = ReviewSettings()
    websub: WebSubSettings = WebSubSettings()
    analysis: AnalysisSettings = AnalysisSettings()
    topics: tuple[Topic, ...] = ()


class _Table:
    """One TOML table being read: typed getters that name the dotted key, then a check for leftovers."""

    def __init__(self, raw: Any, path: str) -> None:
        if not isinstance(raw, dict):
            raise ConfigError(f"{path or 'config'}: expected a table, got {_kind(raw)}")
        self.raw = raw
        self.path = path
        self.seen: set[str] = set()

    def key(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def get(self, name: str, kind: type[T] | tuple[type, ...], default: T) -> T:
        self.seen.add(name)
        if name not in self.raw:
            return default
        value = self.raw[name]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        # bool is an int in Python; a flag given where a number is wanted is a mistake.
        if isinstance(value, bool) and bool not in kinds:
            raise ConfigError(f"{self.key(name)}: expected {_names(kinds)}, got a boolean")
        if not isinstance(value, kinds):
            raise ConfigError(f"{self.key(name)}: expected {_names(kinds)}, got {_kind(value)}")
        return value  # type: ignore[return-value]

    def number(self, name: str, default: float, *, minimum: float, maximum: float | None = None) -> float:
        value = self.get(name, (int, float), default)
        if value < minimum or (maximum is not None and value > maximum):
            bound = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
            raise ConfigError(f"{self.key(name)}: expected a number {bound}, got {value}")
        return value

    def integer(self, name: str, default: int, *, minimum: int, maximum: int | None = None) -> int:
        value = self.get(name, int, default)
        if value < minimum or (maximum is not None and value > maximum):
            bound = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
            raise ConfigError(f"{self.key(name)}: expected a whole number {bound}, got {value}")
        return value

    def seconds(self, name: str, default: timedelta, *, minimum: float = 0) -> timedelta:
        return timedelta(seconds=self.number(name, default.total_seconds(), minimum=minimum))

    def choice(self, name: str, default: str, options: tuple[str, ...]) -> str:
        value = self.get(name, str, default)
        if value not in options:
            raise ConfigError(f"{self.key(name)}: expected one of {', '.join(options)}, got {value!r}")
        return value

    def table(self, name: str) -> _Table:
        return _Table(self.get(name, dict, {}), self.key(name))

    def tables(self, name: str) -> list[_Table]:
        items = self.get(name, list, [])
        return [_Table(item, f"{self.key(name)}[{i}]") for i, item in enumerate(items)]

    def finish(self) -> None:
        unknown = sorted(set(self.raw) - self.seen)
        if unknown:
            where = self.path or "top level"
            raise ConfigError(f"{self.key(unknown[0])}: unknown key in {where} (known: {', '.join(sorted(self.seen))})")


def _kind(value: Any) -> str:
    return {
        dict: "a table",
        list: "an array",
        str: "a string",
        bool: "a boolean",
        int: "an integer",
        float: "a number",
    }.get(type(value), type(value).__name__)


def _names(kinds: tuple[type, ...]) -> str:
    names = {
        str: "a string",
        int: "an integer",
        float: "a number",
        bool: "true or false",
        list: "an array",
        dict: "a table",
    }
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def _http_url(value: str, key: str) -> str:
    if not value.startswith(("http://", "https://")) or len(value) < 10:
        raise ConfigError(f"{key}: expected an http:// or https:// URL, got {value!r}")
    return value


def _read_feed_sources(feeds: _Table) -> tuple[FeedSourceConfig, ...]:
    sources: list[FeedSourceConfig] = []
    seen: set[str] = set()
    for t in feeds.tables("sources"):
        url = _http_url(t.get("url", str, ""), t.key("url"))
        if url in seen:
            raise ConfigError(f"{t.key('url')}: duplicate feed URL {url!r}")
        seen.add(url)
        topics = t.get("topics", list, [])
        if not all(isinstance(x, str) for x in topics):
            raise ConfigError(f"{t.key('topics')}: expected an array of topic ids")
        interval = t.get("interval", (int, float), 0)
        if interval and interval < 60:
            raise ConfigError(f"{t.key('interval')}: expected at least 60 seconds, got {interval}")
        sources.append(
            FeedSourceConfig(
                url=url,
                name=_feed_name(t),
                language=t.get("language", str, None),
                topics=tuple(topics),
                interval=timedelta(seconds=interval) if interval else None,
                full_text=_full_text_mode(t.get("full_text", (str, type(None)), None), t.key("full_text")),
            )
        )
        t.finish()
    return tuple(sources)


def _full_text_mode(value: str | None, key: str) -> str | None:
    if value is not None and value not in FULL_TEXT_MODES:
        raise ConfigError(f"{key}: expected one of {', '.join(FULL_TEXT_MODES)}, got {value!r}")
    return value


def _feed_name(t: _Table) -> str | None:
    """``name = ...`` (``title`` is its older spelling), checked like /addfeed's ``name:``."""
    key = "name" if "name" in t.raw else "title"
    value = t.get(key, str, None)
    if value is None:
        return None
    try:
        return check_feed_name(value)
    except FeedNameError as exc:
        raise ConfigError(f"{t.key(key)}: {exc}") from None


def _ca_bundle(path: str | None) -> str | None:
    if path is not None and not Path(path).is_file():
        raise ConfigError(f"feeds.ca_bundle: no such file: {path}")
    return path


def _read_feeds(root: _Table) -> FeedSettings:
    t = root.table("feeds")
    d = FeedSettings()
    dl = FetchLimits()
    limits = FetchLimits(
        user_agent=t.get("user_agent", str, dl.user_agent),
        connect_timeout=t.number("connect_timeout", dl.connect_timeout, minimum=0.1),
        read_timeout=t.number("read_timeout", dl.read_timeout, minimum=0.1),
        total_timeout=t.number("total_timeout", dl.total_timeout, minimum=0.1),
        max_body_bytes=t.integer("max_body_bytes", dl.max_body_bytes, minimum=1024),
        max_redirects=t.integer("max_redirects", dl.max_redirects, minimum=0, maximum=20),
        allow_private_addresses=t.get("allow_private_addresses", bool, dl.allow_private_addresses),
        ca_bundle=_ca_bundle(t.get("ca_bundle", (str, type(None)), dl.ca_bundle)),
    )
    settings = FeedSettings(
        limits=limits,
        default_interval=t.seconds("default_interval", d.default_interval, minimum=60),
        min_interval=t.seconds("min_interval", d.min_interval, minimum=10),
        max_interval=t.seconds("max_interval", d.max_interval, minimum=60),
        jitter=t.number("jitter", d.jitter, minimum=0, maximum=0.5),
        max_concurrency=t.integer("max_concurrency", d.max_concurrency, minimum=1, maximum=1000),
        per_host_concurrency=t.integer("per_host_concurrency", d.per_host_concurrency, minimum=1),
        pause_after=t.seconds("pause_after", d.pause_after, minimum=60),
        # Four 16-bit bands find every pair within 3 bits and no more (bench/grouping.py: no same-story pair
        # of the labelled set is within 16 bits; the meaning rule merges them instead).
        near_duplicate_distance=t.integer("near_duplicate_distance", d.near_duplicate_distance, minimum=0, maximum=3),
        near_duplicate_window=t.seconds("near_duplicate_window", d.near_duplicate_window, minimum=0),
        story_grouping=t.get("story_grouping", bool, d.story_grouping),
        story_threshold=t.number("story_threshold", d.story_threshold, minimum=0.0, maximum=1.0),
        story_window=t.seconds("story_window", d.story_window, minimum=0),
        alert_max_age=t.seconds("alert_max_age", d.alert_max_age or timedelta(0), minimum=0) or None,
        tick=t.seconds("tick", d.tick, minimum=1),
        parse_workers=t.integer("parse_workers", d.parse_workers, minimum=0, maximum=64),
        full_text_min_chars=t.integer("full_text_min_chars", d.full_text_min_chars, minimum=0),
        full_text_max_bytes=t.integer("full_text_max_bytes", d.full_text_max_bytes, minimum=1024),
        full_text_per_poll=t.integer("full_text_per_poll", d.full_text_per_poll, minimum=0),
        sources=_read_feed_sources(t),
    )
    t.finish()
    if settings.min_interval > settings.max_interval:
        raise ConfigError("feeds.min_interval: must not be larger than feeds.max_interval")
    return settings


def _read_bot(root: _Table, environ: Mapping[str, str]) -> BotSettings:
    t = root.table("bot")
    admins = t.get("admins", list, [])
    if not all(isinstance(a, int) and not isinstance(a, bool) for a in admins):
        raise ConfigError("bot.admins: expected an array of Telegram user ids (integers)")
    wt = t.table("webhook")
    webhook = WebhookSettings(
        listen=wt.get("listen", str, "127.0.0.1"),
        port=wt.integer("port", 8443, minimum=1, maximum=65535),
        url=wt.get("url", str, None),
        path=wt.get("path", str, "telegram"),
        secret_token=environ.get(ENV_WEBHOOK_SECRET) or None,
    )
    wt.finish()
    bot = BotSettings(
        admins=frozenset(admins),
        admin_chat_id=t.get("admin_chat_id", int, None),
        default_language=t.choice("default_language", "en", ("en", "ru")),
        mode=t.choice("mode", "polling", ("polling", "webhook")),
        webhook=webhook,
        token=environ.get(ENV_TOKEN) or None,
        base_url=environ.get(ENV_BASE_URL) or None,
        base_file_url=environ.get(ENV_BASE_FILE_URL) or None,
    )
    t.finish()
    if bot.mode == "webhook" and not webhook.url:
        raise ConfigError('bot.webhook.url: required when bot.mode is "webhook"')
    return bot


def _read_delivery(root: _Table) -> DeliverySettings:
    t = root.table("delivery")
    d = DeliverySettings()
    settings = DeliverySettings(
        global_per_second=t.number("global_per_second", d.global_per_second, minimum=0.1, maximum=1000),
        per_chat_per_second=t.number("per_chat_per_second", d.per_chat_per_second, minimum=0.01, maximum=30),
        per_group_per_minute=t.number("per_group_per_minute", d.per_group_per_minute, minimum=1, maximum=60),
        max_attempts=t.integer("max_attempts", d.max_attempts, minimum=1),
        batch_size=t.integer("batch_size", d.batch_size, minimum=1, maximum=10_000),
        lease=t.seconds("lease", d.lease, minimum=2),
        in_flight=t.integer("in_flight", d.in_flight, minimum=1, maximum=100),
    )
    t.finish()
    return settings


def _read_metrics(root: _Table) -> MetricsSettings:
    t = root.table("metrics")
    d = MetricsSettings()
    settings = MetricsSettings(
        enabled=t.get("enabled", bool, d.enabled),
        listen=t.get("listen", str, d.listen),
        port=t.integer("port", d.port, minimum=0, maximum=65535),
    )
    t.finish()
    return settings


def _read_retention(root: _Table) -> RetentionSettings:
    t = root.table("retention")
    d = RetentionSettings()
    settings = RetentionSettings(
        items_days=t.number("items_days", d.items_days, minimum=1),
        outbox_days=t.number("outbox_days", d.outbox_days, minimum=1),
    )
    t.finish()
    return settings


def _read_review(root: _Table) -> ReviewSettings:
    t = root.table("review")
    d = ReviewSettings()
    hours = t.number("max_age_hours", d.max_age.total_seconds() / 3600, minimum=1)
    settings = ReviewSettings(
        max_age=timedelta(hours=hours),
        daily_hour=t.integer("daily_hour", d.daily_hour, minimum=0, maximum=23),
        feedback_quorum=t.integer("feedback_quorum", d.feedback_quorum, minimum=1, maximum=1000),
        retrain_folds=t.integer("retrain_folds", d.retrain_folds, minimum=2, maximum=20),
    )
    t.finish()
    return settings


def _read_websub(root: _Table) -> WebSubSettings:
    t = root.table("websub")
    d = WebSubSettings()
    callback = t.get("callback_url", (str, type(None)), None)
    settings = WebSubSettings(
        callback_url=_http_url(callback, t.key("callback_url")).rstrip("/") if callback else None,
        listen=t.get("listen", str, d.listen),
        port=t.integer("port", d.port, minimum=0, maximum=65535),
        lease=t.seconds("lease", d.lease, minimum=3600),
        poll_interval=t.seconds("poll_interval", d.poll_interval, minimum=300),
    )
    t.finish()
    return settings


def _read_logging(root: _Table) -> LoggingSettings:
    t = root.table("logging")
    settings = LoggingSettings(
        level=t.choice("level", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR")),
        format=t.choice("format", "text", ("text", "json")),
    )
    t.finish()
    return settings


def _read_database(root: _Table, environ: Mapping[str, str]) -> str:
    t = root.table("database")
    url = t.get("url", str, DEFAULT_DATABASE_URL)
    t.finish()
    url = environ.get(ENV_DATABASE_URL) or url
    if not url.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
        raise ConfigError(
            f"database.url: expected sqlite+aiosqlite:///PATH or postgresql+asyncpg://..., got {url.split(':')[0]!r}"
        )
    return url


def settings_from_mapping(raw: Mapping[str, Any], environ: Mapping[str, str], path: Path | None = None) -> Settings:
    """Build Settings from parsed TOML; raises ConfigError naming the offending key."""
    root = _Table(dict(raw), "")
    database_url = _read_database(root, environ)
    bot = _read_bot(root, environ)
    feeds = _read_feeds(root)
    delivery = _read_delivery(root)
    logging_settings = _read_logging(root)
    metrics = _read_metrics(root)
    retention = _read_retention(root)
    review = _read_review(root)
    websub = _read_websub(root)
    try:
        analysis = analysis_settings_from_toml(root.get("analysis", dict, {}))
        topics = tuple(load_topics(root.get("topics", list, [])))
    except TopicConfigError as exc:
        raise ConfigError(str(exc)) from exc
    root.finish()
    known_topics = {topic.id for topic in topics}
    for i, source in enumerate(feeds.sources):
        for hint in source.topics:
            if known_topics and hint not in known_topics:
                known = ", ".join(sorted(known_topics))
                raise ConfigError(f"feeds.sources[{i}].topics: unknown topic {hint!r} (known: {known})")
    return Settings(
        path=path,
        database_url=database_url,
        bot=bot,
        feeds=feeds,
        delivery=delivery,
        logging=logging_settings,
        metrics=metrics,
        retention=retention,
        review=review,
        websub=websub,
        analysis=analysis,
        topics=topics,
    )


def load_settings(path: Path, environ: Mapping[str, str]) -> Settings:
    """Read config.toml at ``path``; the environment overrides the token, the Bot API URL and the database."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: configuration file not found") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    return settings_from_mapping(raw, environ, path)
