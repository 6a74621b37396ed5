"""The emulator's state and the Python API tests use to read it and to schedule errors (thread-safe)."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TypeVar

from .directory import ChatInfo, Directory, UserInfo
from .faults import SEND_METHODS, Fault, FaultInjector, blocked, flood, migrated, server_error
from .injection import Injection
from .limits import RateLimiter, RateLimits, Violation
from .messages import CallbackAnswer, Edit, MessageLog, SentMessage
from .updates import UpdateQueue

T = TypeVar("T")
DEFAULT_TOKEN = "123456789:TEST-coopwatch-emulator-token"


@dataclass(frozen=True)
class EmulatorConfig:
    token: str = DEFAULT_TOKEN  # the token tests configure; any token is accepted and recorded
    bot_username: str = "coopwatch_test_bot"
    bot_name: str = "Coopwatch Test"
    limits: RateLimits = field(default_factory=RateLimits)
    auto_create_chats: bool = True  # unknown chat ids become private chats (or groups, for negative ids)
    strict_entities: bool = True  # refuse "&foo;" which Telegram would show literally
    max_text_length: int = 4096
    max_caption_length: int = 1024

    @property
    def bot_id(self) -> int:
        prefix = self.token.split(":", 1)[0]
        return int(prefix) if prefix.isdigit() else 123456789


class EmulatorState(Injection):
    def __init__(self, config: EmulatorConfig | None = None) -> None:
        self.config = config or EmulatorConfig()
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._listeners: list[Callable[[], None]] = []
        self._message_listeners: list[Callable[[SentMessage], None]] = []
        self.bot_user = UserInfo(self.config.bot_id, self.config.bot_name, None, self.config.bot_username, None, True)
        self.directory = Directory(self.bot_user, self.config.auto_create_chats)
        self.log = MessageLog()
        self.updates = UpdateQueue()
        self.faults = FaultInjector()
        self.limiter = RateLimiter(self.config.limits)
        self.calls: Counter[str] = Counter()
        self.tokens_seen: set[str] = set()
        self.webhook: dict | None = None
        self.rate_limited = 0  # 429s caused by the limits (not injected ones)

    # -- plumbing ---------------------------------------------------------------------------------
    def add_listener(self, listener: Callable[[], None]) -> None:
        """Called (from any thread) whenever an update is queued; the server uses it to wake long polls."""
        with self._lock:
            self._listeners.append(listener)

    def remove_listener(self, listener: Callable[[], None]) -> None:
        with self._lock:
            self._listeners.remove(listener)

    def add_message_listener(self, listener: Callable[[SentMessage], None]) -> None:
        """Called with each message the bot sends or edits (edited: record.edits > 0), on the server's
        thread and outside the lock; console mode prints with it."""
        with self._lock:
            self._message_listeners.append(listener)

    def _notify_messages(self) -> None:
        with self._lock:
            fresh = self.log.take_fresh()
            listeners = list(self._message_listeners)
        for record in fresh:
            for listener in listeners:
                listener(record)

    def _notify_updates(self) -> None:
        for listener in list(self._listeners):
            listener()

    def _notify_records(self) -> None:
        self._changed.notify_all()

    # -- reading -----------------------------------------------------------------------------------
    def sent_messages(self, chat_id: int | None = None) -> list[SentMessage]:
        """The bot's messages in send order (current content, after edits; deleted ones left out)."""
        with self._lock:
            return self.log.sent_messages(chat_id)

    def last_message(self, chat_id: int | None = None) -> SentMessage | None:
        messages = self.sent_messages(chat_id)
        return messages[-1] if messages else None

    def documents(self, chat_id: int | None = None) -> list[SentMessage]:
        return [m for m in self.sent_messages(chat_id) if m.kind == "document"]

    def photos(self, chat_id: int | None = None) -> list[SentMessage]:
        return [m for m in self.sent_messages(chat_id) if m.kind == "photo"]

    def file_bytes(self, file_id: str) -> bytes:
        with self._lock:
            return self.log.files[file_id].data

    def edits(self, chat_id: int | None = None) -> list[Edit]:
        with self._lock:
            return [e for e in self.log.edits if chat_id is None or e.chat_id == chat_id]

    def deleted_messages(self) -> list[tuple[int, int]]:
        with self._lock:
            return list(self.log.deleted)

    def callback_answers(self, callback_query_id: str | None = None) -> list[CallbackAnswer]:
        with self._lock:
            answers = self.log.callback_answers
            return [a for a in answers if callback_query_id is None or a.callback_query_id == callback_query_id]

    def commands(self, scope: dict | None = None, language_code: str = "") -> list[dict] | None:
        """The menu set with setMyCommands for that scope (default: {"type": "default"}) and language."""
        with self._lock:
            return self.log.commands.get((_scope_key(scope), language_code))

    def command_menus(self) -> dict[tuple[str, str], list[dict]]:
        """Every menu set: (scope as canonical JSON, language_code) -> commands."""
        with self._lock:
            return dict(self.log.commands)

    @property
    def violations(self) -> list[Violation]:
        with self._lock:
            return list(self.limiter.violations)

    def send_times(self, chat_id: int | None = None) -> list[float]:
        """time.monotonic() of every accepted send, for one chat or all chats, in order."""
        with self._lock:
            if chat_id is not None:
                return list(self.limiter.send_times.get(chat_id, []))
            return sorted(t for times in self.limiter.send_times.values() for t in times)

    def pending_updates(self) -> list[dict]:
        with self._lock:
            return list(self.updates.pending)

    def stats(self) -> dict:
        with self._lock:
            return {
                "calls": dict(self.calls),
                "sent": len(self.log.sent_order),
                "chats": len(self.directory.chats),
                "violations": len(self.limiter.violations),
                "rate_limited": self.rate_limited,
                "injected_errors": len(self.faults.fired),
                "pending_updates": len(self.updates.pending),
                "tokens": sorted(self.tokens_seen),
            }

    def wait_for_messages(self, chat_id: int | None = None, count: int = 1, timeout: float = 10.0) -> list[SentMessage]:
        """Block until the chat (or all chats) holds at least count bot messages; return them all.

        Do not call it on the loop that runs the emulator; use wait_for_messages_async there."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(found := self.log.sent_messages(chat_id)) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(
                        f"expected {count} message(s) in chat {chat_id}, got {len(found)} after {timeout}s: "
                        f"{[m.text for m in found][-5:]}"
                    )
                self._changed.wait(left)
            return found

    async def wait_for_messages_async(
        self,
        chat_id: int | None = None,
        count: int = 1,
        timeout: float = 10.0,  # noqa: ASYNC109 - mirrors wait_for_messages
    ) -> list[SentMessage]:
        deadline = time.monotonic() + timeout
        while len(found := self.sent_messages(chat_id)) < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"expected {count} message(s) in chat {chat_id}, got {len(found)} after {timeout}s")
            await asyncio.sleep(0.01)
        return found

    def wait_until(self, predicate: Callable[[], T], timeout: float = 10.0) -> T:
        """Block until predicate() (called under the lock, so keep it cheap) is truthy; return its value."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while not (value := predicate()):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"condition not met within {timeout}s")
                self._changed.wait(min(left, 0.05))
            return value

    async def wait_until_async(
        self,
        predicate: Callable[[], T],
        timeout: float = 10.0,  # noqa: ASYNC109 - mirrors wait_until
    ) -> T:
        """Await until predicate() is truthy (polls every 10 ms; safe on the emulator's own loop)."""
        deadline = time.monotonic() + timeout
        while not (value := predicate()):
            if time.monotonic() > deadline:
                raise TimeoutError(f"condition not met within {timeout}s")
            await asyncio.sleep(0.01)
        return value

    def wait_until_consumed(self, timeout: float = 10.0) -> None:
        """Block until the bot has confirmed (polled past) every queued update."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while self.updates.pending:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"{len(self.updates.pending)} update(s) still not fetched by the bot")
                self._changed.wait(min(left, 0.05))

    # -- errors and limits -------------------------------------------------------------------------
    def fail_next(
        self,
        chat_id: int | None,
        fault: Fault,
        count: int = 1,
        methods: Iterable[str] | None = SEND_METHODS,
    ) -> None:
        """The next count calls (to that chat, or any chat when chat_id is None) answer with fault.
        methods limits which calls (default: sendMessage, sendDocument, sendPhoto); None means all."""
        names = None if methods is None else frozenset(m.lower() for m in methods)
        with self._lock:
            self.faults.add(chat_id, fault, count, names)

    def inject_flood(self, chat_id: int | None = None, retry_after: int = 3, count: int = 1) -> None:
        self.fail_next(chat_id, flood(retry_after), count)

    def inject_blocked(self, chat_id: int, count: int = 1) -> None:
        self.fail_next(chat_id, blocked(), count)

    def inject_migrate(self, chat_id: int, new_chat_id: int, count: int = 1) -> None:
        self.fail_next(chat_id, migrated(new_chat_id), count)

    def inject_server_error(self, chat_id: int | None = None, status: int = 500, count: int = 1) -> None:
        self.fail_next(chat_id, server_error(status), count)

    def clear_faults(self) -> None:
        with self._lock:
            self.faults.clear()

    def set_limits(self, limits: RateLimits) -> None:
        """Replace the limits (and forget the windows; recorded violations stay)."""
        with self._lock:
            self.limiter.configure(limits)

    @property
    def limits(self) -> RateLimits:
        return self.limiter.limits

    def reset_records(self) -> None:
        """Forget sent messages' pacing records and violations (e.g. between benchmark phases)."""
        with self._lock:
            self.limiter.reset()
            self.rate_limited = 0
            self.calls.clear()

    # -- registration ------------------------------------------------------------------------------
    def add_user(
        self,
        user_id: int,
        first_name: str = "Test",
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
    ) -> UserInfo:
        """Register a user and their private chat with the bot (chat id == user id)."""
        user = UserInfo(user_id, first_name, last_name, username, language_code)
        with self._lock:
            self.directory.add_user(user)
        return user

    def add_chat(
        self,
        chat_id: int,
        type: str = "group",  # noqa: A002 - the Bot API's name
        title: str | None = None,
        *,
        username: str | None = None,
        is_forum: bool = False,
        creator: int | None = None,
        admins: Iterable[int] = (),
        members: Iterable[int] = (),
        bot_status: str | None = None,
    ) -> ChatInfo:
        """Register a group, supergroup or channel; users named here are registered too.
        bot_status defaults to "administrator" in channels and "member" elsewhere."""
        chat = ChatInfo(chat_id, type, title or f"Chat {chat_id}", username, None, None, is_forum)
        roles: dict[int, str] = dict.fromkeys(members, "member")
        roles.update(dict.fromkeys(admins, "administrator"))
        if creator is not None:
            roles[creator] = "creator"
        with self._lock:
            for user_id in roles:
                self.directory.user(user_id)
            self.directory.add_chat(chat, roles, bot_status or ("administrator" if type == "channel" else "member"))
        return chat

    def set_member(self, chat_id: int, user_id: int, status: str) -> None:
        """Change a user's status in a chat without telling the bot (use inject_my_chat_member for the bot)."""
        with self._lock:
            self.directory.user(user_id)
            self.directory.set_status(chat_id, user_id, status)

    def chat(self, chat_id: int) -> ChatInfo:
        with self._lock:
            return self.directory.chat(chat_id)


def _scope_key(scope: dict | None) -> str:
    return json.dumps(scope or {"type": "default"}, sort_keys=True, separators=(",", ":"))
