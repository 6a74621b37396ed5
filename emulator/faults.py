"""Errors that tests schedule for the next N calls, per chat or for every chat."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

SEND_METHODS = frozenset({"sendmessage", "senddocument", "sendphoto"})


class ApiError(Exception):
    """A Bot API error reply: {"ok": false, "error_code": status, "description": ..., "parameters": ...}."""

    def __init__(self, status: int, description: str, parameters: dict | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def to_api(self) -> dict:
        body: dict = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


@dataclass(frozen=True)
class Fault:
    status: int
    description: str
    parameters: dict | None = None

    def error(self) -> ApiError:
        return ApiError(self.status, self.description, dict(self.parameters) if self.parameters else None)


def flood(retry_after: int) -> Fault:
    return Fault(429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after})


def blocked() -> Fault:
    return Fault(403, "Forbidden: bot was blocked by the user")


def migrated(new_chat_id: int) -> Fault:
    return Fault(400, "Bad Request: group chat was upgraded to a supergroup chat", {"migrate_to_chat_id": new_chat_id})


def server_error(status: int = 500) -> Fault:
    phrases = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}
    return Fault(status, phrases.get(status, "Internal Server Error"))


@dataclass
class _Rule:
    fault: Fault
    remaining: int
    methods: frozenset[str] | None  # lower-cased method names; None: every method


@dataclass
class FaultInjector:
    _by_chat: dict[int | None, deque[_Rule]] = field(default_factory=dict)
    fired: list[tuple[int | None, str, Fault]] = field(default_factory=list)

    def add(
        self, chat_id: int | None, fault: Fault, count: int = 1, methods: frozenset[str] | None = SEND_METHODS
    ) -> None:
        if count < 1:
            raise ValueError("count must be >= 1")
        self._by_chat.setdefault(chat_id, deque()).append(_Rule(fault, count, methods))

    def take(self, chat_id: int | None, method: str) -> Fault | None:
        """The fault for this call, consuming one use; chat rules go before global ones."""
        for key in (chat_id, None) if chat_id is not None else (None,):
            rules = self._by_chat.get(key)
            if not rules:
                continue
            for rule in rules:
                if rule.methods is None or method.lower() in rule.methods:
                    rule.remaining -= 1
                    if rule.remaining == 0:
                        rules.remove(rule)
                    self.fired.append((chat_id, method, rule.fault))
                    return rule.fault
        return None

    def pending(self) -> int:
        return sum(rule.remaining for rules in self._by_chat.values() for rule in rules)

    def clear(self) -> None:
        self._by_chat.clear()
