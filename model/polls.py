"""What one poll of a feed comes to: the success a store records, and the result the poller reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

PollStatus = Literal["new", "not_modified", "error"]


@dataclass(frozen=True, slots=True)
class PollSuccess:
    """What a successful poll (new items or 304) records on its feed."""

    feed_id: int
    now: datetime  # when the response arrived
    next_poll_at: datetime
    etag: str | None
    last_modified: str | None
    title: str | None = None  # the feed's own title, kept only while the stored one is empty
    new_url: str | None = None  # where a permanent redirect led
    hub: str | None = None  # the WebSub hub the feed names, and the topic URL to subscribe with
    topic: str | None = None


@dataclass(frozen=True, slots=True)
class PollResult:
    feed_id: int
    url: str
    status: PollStatus
    new_items: int = 0
    duplicates: int = 0
    alerts: int = 0
    error_code: str | None = None
    error: str | None = None
    paused: bool = False
    topics: tuple[str, ...] = ()  # one entry per (new item, assigned topic), for the metrics

    def describe(self) -> str:
        if self.status == "error":
            return f"error {self.error_code}: {self.error}" + (" (feed paused)" if self.paused else "")
        if self.status == "not_modified":
            return "304 not modified"
        dup = f", {self.duplicates} already known from other feeds" if self.duplicates else ""
        return f"{self.new_items} new{dup}"
