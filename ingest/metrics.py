"""Prometheus counters of the poller (bot/ops/health.py serves them with the rest of the process's)."""

from __future__ import annotations

from prometheus_client import Counter

from model.polls import PollResult

FEEDS_POLLED = Counter("coopwatch_feeds_polled", "Feed polls, by outcome (new, not_modified, error)", ["status"])
FEED_ERRORS = Counter("coopwatch_feed_errors", "Failed feed polls, by error code", ["code"])
ITEMS_STORED = Counter("coopwatch_items_stored", "New items stored")
ITEMS_BY_TOPIC = Counter("coopwatch_items_by_topic", "New items stored, by assigned topic", ["topic"])


def record_poll(result: PollResult) -> None:
    FEEDS_POLLED.labels(result.status).inc()
    if result.status == "error":
        FEED_ERRORS.labels(result.error_code or "unknown").inc()
    if result.new_items:
        ITEMS_STORED.inc(result.new_items)
    for topic in result.topics:
        ITEMS_BY_TOPIC.labels(topic).inc()
