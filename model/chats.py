"""A chat's delivery settings and the quiet-hours rule (stored as JSON in ``chats.settings``)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


@dataclass(frozen=True)
class ChatSettings:
    mode: str = "instant"  # "instant" or "digest"
    digest_hour: int = 8  # local hour of the daily digest
    timezone: str = "UTC"  # IANA name
    quiet_start: int | None = None  # local hour; alerts wait until quiet_end
    quiet_end: int | None = None
    min_relevance: float = 0.0  # topic score an item needs, 0..1
    include: tuple[str, ...] = ()  # an alert needs one of these words (when any are set)
    exclude: tuple[str, ...] = ()  # an alert with any of these words is skipped
    alert_language: str | None = None  # None: the chat's interface language
    spike_alerts: bool = False  # opt-in, sent by the trends job
    weekly_summary: bool = False  # opt-in, sent by the trends job
    digest_sent_on: str | None = None  # local ISO date of the last scheduled digest
    paused: bool = False  # an admin paused the chat: nothing new is queued for it until resumed

    @classmethod
    def from_json(cls, raw: dict[str, Any] | None) -> ChatSettings:
        raw = raw or {}
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in raw.items() if k in known}
        for key in ("include", "exclude"):
            if key in values:
                values[key] = tuple(values[key])
        return cls(**values)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["include"] = list(self.include)
        data["exclude"] = list(self.exclude)
        return data

    @property
    def zone(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            return ZoneInfo("UTC")

    def local(self, when: datetime) -> datetime:
        return when.astimezone(self.zone)

    def quiet_until(self, now: datetime) -> datetime | None:
        """End of the quiet period ``now`` falls in (UTC), or None outside quiet hours."""
        if self.quiet_start is None or self.quiet_end is None or self.quiet_start == self.quiet_end:
            return None
        local = self.local(now)
        hour = local.hour
        start, end = self.quiet_start, self.quiet_end
        inside = start <= hour < end if start < end else (hour >= start or hour < end)
        if not inside:
            return None
        until = local.replace(hour=end, minute=0, second=0, microsecond=0)
        if until <= local:
            until += timedelta(days=1)
        return until.astimezone(now.tzinfo)


def valid_timezone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True
