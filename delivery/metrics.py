"""Prometheus metrics of one Coopwatch process (bot, poll or deliver worker).

Each process serves its own ``/metrics`` (bot/ops/health.py); Prometheus scrapes every process and sums.
Counters are cheap to bump whether or not the endpoint runs, so the poller and the sender always record.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from prometheus_client import Counter, Gauge, Histogram

if TYPE_CHECKING:
    from model.polls import PollResult

FEEDS_POLLED = Counter("coopwatch_feeds_polled", "Feed polls, by outcome (new, not_modified, error)", ["status"])
FEED_ERRORS = Counter("coopwatch_feed_errors", "Failed feed polls, by error code", ["code"])
ITEMS_STORED = Counter("coopwatch_items_stored", "New items stored")
ITEMS_BY_TOPIC = Counter("coopwatch_items_by_topic", "New items stored, by assigned topic", ["topic"])
OUTBOX_DEPTH = Gauge("coopwatch_outbox_depth", "Outbox rows, by status (refreshed every few seconds)", ["status"])
MESSAGES_SENT = Counter("coopwatch_messages_sent", "Messages Telegram accepted, by outbox kind", ["kind"])
TELEGRAM_429 = Counter("coopwatch_telegram_429", "429 Too Many Requests answers from the Bot API")
DELIVERY_FAILURES = Counter("coopwatch_delivery_failures", "Outbox sends that did not succeed, by outcome", ["outcome"])
DELIVERY_LATENCY = Histogram(
    "coopwatch_delivery_latency_seconds",
    "From the moment an outbox row was due to Telegram accepting it",
    buckets=(0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600),
)
OUTBOX_STATUSES = ("pending", "held", "sent", "digested", "failed", "dropped")


def record_poll(result: PollResult) -> None:
    FEEDS_POLLED.labels(result.status).inc()
    if result.status == "error":
        FEED_ERRORS.labels(result.error_code or "unknown").inc()
    if result.new_items:
        ITEMS_STORED.inc(result.new_items)
    for topic in result.topics:
        ITEMS_BY_TOPIC.labels(topic).inc()


def set_outbox_depth(counts: dict[str, int]) -> None:
    for status in sorted(set(OUTBOX_STATUSES) | set(counts)):
        OUTBOX_DEPTH.labels(status).set(counts.get(status, 0))
