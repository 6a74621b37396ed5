"""The update queue behind getUpdates: offsets, allowed_updates and "confirmed" semantics."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from itertools import islice

# What Telegram sends when allowed_updates was never set or set to [].
DEFAULT_EXCLUDED = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


def update_kind(update: dict) -> str:
    return next(key for key in update if key != "update_id")


@dataclass
class UpdateQueue:
    pending: deque[dict] = field(default_factory=deque)
    next_id: int = 1
    allowed: frozenset[str] = frozenset()  # empty: Telegram's default set
    delivered: int = 0

    def push(self, kind: str, payload: dict) -> dict:
        update = {"update_id": self.next_id, kind: payload}
        self.next_id += 1
        self.pending.append(update)
        return update

    def set_allowed(self, allowed: list[str] | None) -> None:
        if allowed is not None:  # None keeps the previous setting, as Telegram does
            self.allowed = frozenset(allowed)

    def _wanted(self, update: dict) -> bool:
        kind = update_kind(update)
        return kind in self.allowed if self.allowed else kind not in DEFAULT_EXCLUDED

    def confirm(self, offset: int | None) -> None:
        if offset is None:
            return
        if offset < 0:
            while len(self.pending) > -offset:
                self.pending.popleft()
            return
        while self.pending and self.pending[0]["update_id"] < offset:
            self.pending.popleft()

    def fetch(self, limit: int) -> list[dict]:
        out = list(islice((u for u in self.pending if self._wanted(u)), limit))
        self.delivered += len(out)
        return out

    def clear(self) -> None:
        self.pending.clear()
