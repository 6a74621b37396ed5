"""Retry delays in log lines read as people say them ("in 32 min"), not as raw timedelta values."""

from __future__ import annotations

import io
import logging
from datetime import timedelta

import pytest

from bot.ops.logs import configure_logging
from bot.settings import LoggingSettings
from model.durations import human_duration


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(seconds=44.6), "45 s"),
        (timedelta(minutes=1, seconds=30), "1 min 30 s"),
        (timedelta(minutes=32, seconds=0.418), "32 min"),
        (timedelta(hours=5, minutes=10, seconds=7), "5 h 10 min"),
        (timedelta(days=1), "1 day"),
        (timedelta(days=2, hours=3), "2 days 3 h"),
        (timedelta(seconds=-3), "0 s"),
    ],
)
def test_human_duration(delta: timedelta, text: str) -> None:
    assert human_duration(delta) == text


def test_a_logged_retry_delay_reads_in_minutes() -> None:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    stream = io.StringIO()
    try:
        configure_logging(LoggingSettings(), token=None, stream=stream)
        logging.getLogger("ingest.poller").warning(
            "feed %s failed (%s): %s; next try in %s",
            "https://x.example/rss",
            "timeout",
            "slow",
            timedelta(minutes=32, microseconds=418211),
        )
    finally:
        root.handlers[:], root.level = saved[0], saved[1]
    line = stream.getvalue()
    assert line.rstrip().endswith("next try in 32 min"), line
    assert "0:32:00" not in line
