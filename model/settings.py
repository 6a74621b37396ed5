"""The typed slices of config.toml that the stages take as arguments (bot/settings.py reads and checks them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta


@dataclass(frozen=True, slots=True)
class FetchLimits:
    """How a fetch may behave; filled from ``[feeds]`` in config.toml."""

    user_agent: str = "Coopwatch/0.1 (+https://github.com/coopwatch/coopwatch; news monitor)"
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    total_timeout: float = 60.0
    max_body_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5
    allow_private_addresses: bool = False
    ca_bundle: str | None = None  # a PEM file of extra CAs trusted besides certifi's (a corporate proxy's)


FULL_TEXT_MODES = ("auto", "always", "never")  # per feed: fetch the article page for teasers, always, or never


@dataclass(frozen=True)
class FeedSourceConfig:
    url: str
    name: str | None = None  # display name (model.feed_names); None: the feed's title, else its host
    language: str | None = None
    topics: tuple[str, ...] = ()
    interval: timedelta | None = None
    full_text: str | None = None  # "auto" | "always" | "never"; None leaves the stored choice as it is


@dataclass(frozen=True)
class FeedSettings:
    limits: FetchLimits = FetchLimits()
    default_interval: timedelta = timedelta(minutes=30)
    min_interval: timedelta = timedelta(minutes=5)
    max_interval: timedelta = timedelta(hours=24)
    jitter: float = 0.1
    max_concurrency: int = 16
    per_host_concurrency: int = 2
    pause_after: timedelta = timedelta(days=3)
    near_duplicate_distance: int = 3  # simhash bits, 0-3: four 16-bit bands guarantee no more
    near_duplicate_window: timedelta = timedelta(days=7)
    # Story grouping on meaning (ingest.grouping): on, the cosine threshold, and the window of dates.
    story_grouping: bool = True
    story_threshold: float = 0.28  # cosine of centred embeddings (ingest.grouping.centre)
    story_window: timedelta = timedelta(days=3)
    alert_max_age: timedelta | None = timedelta(hours=48)  # None: alert items of any age
    tick: timedelta = timedelta(seconds=30)
    parse_workers: int = 1
    full_text_min_chars: int = 200  # "auto" feeds: a shorter description is a teaser, so the page is fetched
    full_text_max_bytes: int = 2 * 1024 * 1024
    full_text_per_poll: int = 20  # page fetches per feed per poll, newest items first
    sources: tuple[FeedSourceConfig, ...] = ()


@dataclass(frozen=True)
class WebhookSettings:
    listen: str = "127.0.0.1"
    port: int = 8443
    url: str | None = None
    path: str = "telegram"
    secret_token: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class BotSettings:
    admins: frozenset[int] = frozenset()
    admin_chat_id: int | None = None
    default_language: str = "en"
    mode: str = "polling"
    webhook: WebhookSettings = WebhookSettings()
    token: str | None = field(default=None, repr=False)
    base_url: str | None = None
    base_file_url: str | None = None


@dataclass(frozen=True)
class DeliverySettings:
    global_per_second: float = 30.0
    per_chat_per_second: float = 1.0
    per_group_per_minute: float = 20.0
    max_attempts: int = 8
    batch_size: int = 100
    lease: timedelta = timedelta(minutes=2)  # how long a claimed outbox row stays with its worker
    # Sends a worker has on the wire at once: a kill -9 can double at most these (storage/outbox.py, in doubt).
    in_flight: int = 8


@dataclass(frozen=True)
class WebSubSettings:
    """``[websub]``: push delivery from the hubs that feeds name. Off until ``callback_url`` is set."""

    callback_url: str | None = None  # the public base URL that reaches ``listen:port``; one path per feed
    listen: str = "127.0.0.1"
    port: int = 8444
    lease: timedelta = timedelta(days=7)  # asked of the hub; renewed a tenth of it (at least an hour) early
    poll_interval: timedelta = timedelta(hours=6)  # a pushed feed is still polled: a silent hub loses nothing

    @property
    def enabled(self) -> bool:
        return self.callback_url is not None


@dataclass(frozen=True)
class ReviewSettings:
    """``[review]``: how long a review-band item waits for an admin, and the local hour (UTC) of the daily count."""

    max_age: timedelta = timedelta(hours=48)
    daily_hour: int = 8
    feedback_quorum: int = 2  # readers whose "wrong topic"/"not news" on one item make it a retrain example
    retrain_folds: int = 5  # cross-validation folds of the figures `topics retrain` prints
