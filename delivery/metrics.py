"""Prometheus metrics of delivery: the outbox, messages sent, 429s, latency.

Each process serves its own ``/metrics`` (bot/ops/health.py); Prometheus scrapes every process and sums.
Counters are cheap to bump whether or not the endpoint runs, so the sender always records.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

OUTBOX_DEPTH = Gauge("coopwatch_outbox_depth", "Outbox rows, by status (refreshed every few seconds)", ["status"])
MESSAGES_SENT = Counter("coopwatch_messages_sent", "Messages Telegram accepted, by outbox kind", ["kind"])
TELEGRAM_429 = Counter("coopwatch_telegram_429", "429 Too Many Requests answers from the Bot API")
DELIVERY_FAILURES = Counter("coopwatch_delivery_failures", "Outbox sends that did not succeed, by outcome", ["outcome"])
OUTBOX_IN_DOUBT = Counter(
    "coopwatch_outbox_in_doubt",
    "Outbox rows found mid-send when their claim came back (a crashed worker): Telegram may already have them; "
    "each is sent again",
)
DELIVERY_LATENCY = Histogram(
    "coopwatch_delivery_latency_seconds",
    "From the moment an outbox row was due to Telegram accepting it",
    buckets=(0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600),
)
OUTBOX_STATUSES = ("pending", "held", "sent", "digested", "failed", "dropped")


def set_outbox_depth(counts: dict[str, int]) -> None:
    for status in sorted(set(OUTBOX_STATUSES) | set(counts)):
        OUTBOX_DEPTH.labels(status).set(counts.get(status, 0))
