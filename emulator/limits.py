"""Telegram's flood limits as sliding windows over accepted sends, per chat and overall."""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

GROUP_TYPES = frozenset({"group", "supergroup", "channel"})


@dataclass(frozen=True)
class RateLimits:
    """Defaults are Telegram's published limits: about 30 messages per second overall, one per second in
    any chat, 20 per minute in a group, supergroup or channel (on top of the per-chat limit).
    tolerance shortens every window by that many seconds, so a well-paced sender is not punished for
    loopback scheduling jitter; it does not let bursts through."""

    overall_limit: int = 30
    overall_window: float = 1.0
    chat_limit: int = 1
    chat_window: float = 1.0
    group_limit: int = 20
    group_window: float = 60.0
    tolerance: float = 0.05
    enforce: bool = True  # False: record violations but deliver anyway
    enabled: bool = True


@dataclass(frozen=True)
class Violation:
    scope: str  # "overall", "chat" or "group"
    chat_id: int
    method: str
    limit: int
    window: float
    retry_after: int
    at: float  # time.monotonic() on the emulator


class _Window:
    __slots__ = ("limit", "span", "times")

    def __init__(self, limit: int, span: float) -> None:
        self.limit = limit
        self.span = span
        self.times: deque[float] = deque()

    def wait(self, now: float) -> float:
        """Seconds until one more send fits (0.0: it fits now)."""
        horizon = now - self.span
        times = self.times
        while times and times[0] <= horizon:
            times.popleft()
        if len(times) < self.limit:
            return 0.0
        return times[len(times) - self.limit] + self.span - now


@dataclass
class RateLimiter:
    limits: RateLimits = field(default_factory=RateLimits)
    violations: list[Violation] = field(default_factory=list)
    send_times: dict[int, list[float]] = field(default_factory=dict)
    _overall: _Window | None = None
    _chats: dict[int, _Window] = field(default_factory=dict)
    _groups: dict[int, _Window] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.configure(self.limits)

    def configure(self, limits: RateLimits) -> None:
        self.limits = limits
        self._overall = _Window(limits.overall_limit, limits.overall_window - limits.tolerance)
        self._chats.clear()
        self._groups.clear()

    def _windows(self, chat_id: int, chat_type: str) -> list[tuple[str, _Window]]:
        lim = self.limits
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = self._chats[chat_id] = _Window(lim.chat_limit, lim.chat_window - lim.tolerance)
        assert self._overall is not None
        windows = [("overall", self._overall), ("chat", chat)]
        if chat_type in GROUP_TYPES:
            group = self._groups.get(chat_id)
            if group is None:
                group = self._groups[chat_id] = _Window(lim.group_limit, lim.group_window - lim.tolerance)
            windows.append(("group", group))
        return windows

    def admit(self, chat_id: int, chat_type: str, method: str, now: float) -> Violation | None:
        """Record a send; return the violation if it breaks a limit (then, when enforcing, it is not sent)."""
        violation = None
        if self.limits.enabled:
            windows = self._windows(chat_id, chat_type)
            waits = [(w.wait(now), scope, w) for scope, w in windows]
            wait, scope, window = max(waits, key=lambda item: item[0])
            if wait > 0:
                violation = Violation(scope, chat_id, method, window.limit, window.span, max(1, math.ceil(wait)), now)
                self.violations.append(violation)
                if self.limits.enforce:
                    return violation
            for _, w in windows:
                w.times.append(now)
        self.send_times.setdefault(chat_id, []).append(now)
        return violation

    def reset(self) -> None:
        self.violations.clear()
        self.send_times.clear()
        self.configure(self.limits)
