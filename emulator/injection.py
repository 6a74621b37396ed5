"""Updates tests inject: user messages and commands, button presses, documents, membership changes."""

from __future__ import annotations

import itertools
import re
import threading
import time
from typing import TYPE_CHECKING

from .directory import ChatInfo, UserInfo, member_to_api

if TYPE_CHECKING:
    from collections.abc import Callable

    from .directory import Directory
    from .messages import MessageLog
    from .updates import UpdateQueue

_COMMAND = re.compile(r"^/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]+)?")
_callback_ids = itertools.count(1)
GROUP_ANONYMOUS_BOT = 1087968824  # Telegram's "from" of a message an anonymous admin writes as the group
CHANNEL_BOT = 136817688  # ... and of a message a user writes as one of their channels


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def text_entities(text: str) -> list[dict]:
    """The bot_command entity Telegram adds to a message starting with /command[@bot]."""
    match = _COMMAND.match(text)
    return [{"type": "bot_command", "offset": 0, "length": _utf16(match.group(0))}] if match else []


class Injection:
    """Mixin of EmulatorState: every method queues one update for getUpdates and returns it."""

    _lock: threading.RLock
    _changed: threading.Condition
    directory: Directory
    log: MessageLog
    updates: UpdateQueue
    bot_user: UserInfo
    _notify_updates: Callable[[], None]

    def _queue(self, kind: str, payload: dict) -> dict:
        update = self.updates.push(kind, payload)
        self._changed.notify_all()
        return update

    def _sender(self, chat: ChatInfo, user_id: int | None) -> UserInfo:
        if user_id is None:
            if chat.type != "private":
                raise ValueError(f"chat {chat.id} is a {chat.type}: say which user_id writes")
            user_id = chat.id
        return self.directory.user(user_id)

    def _base_message(self, chat: ChatInfo, user: UserInfo | None, thread_id: int | None) -> dict:
        message: dict = {
            "message_id": self.log.next_message_id(chat.id),
            "date": int(time.time()),
            "chat": chat.to_api(),
        }
        if user is not None:
            message["from"] = user.to_api()
        if thread_id is not None:
            message["message_thread_id"] = thread_id
            message["is_topic_message"] = True
        return message

    def _publish(self, kind: str, payload: dict) -> dict:
        with self._lock:
            update = self._queue(kind, payload)
        self._notify_updates()
        return update

    def inject_message(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        message_thread_id: int | None = None,
        reply_to_message_id: int | None = None,
        sender_chat_id: int | None = None,
    ) -> dict:
        """A user writes text (a leading /command gets its bot_command entity). Returns the Update.
        ``sender_chat_id`` writes on behalf of a chat, as Telegram shows it: the group itself is an anonymous
        admin (``from`` is GroupAnonymousBot), another chat a user's own channel (``from`` is Channel_Bot)."""
        with self._lock:
            chat = self.directory.chat(chat_id, create=True)
            if sender_chat_id is None:
                sender = self._sender(chat, user_id)
            else:
                anonymous = sender_chat_id == chat_id
                bot_id, name = (GROUP_ANONYMOUS_BOT, "GroupAnonymousBot") if anonymous else (CHANNEL_BOT, "Channel_Bot")
                sender = self.directory.users.setdefault(bot_id, UserInfo(bot_id, name, username=name, is_bot=True))
            message = self._base_message(chat, sender, message_thread_id)
            if sender_chat_id is not None:
                message["sender_chat"] = self.directory.chat(sender_chat_id, create=True).to_api()
            message["text"] = text
            if entities := text_entities(text):
                message["entities"] = entities
            if reply_to_message_id is not None:
                message["reply_to_message"] = self.log.message(chat_id, reply_to_message_id, purpose="reply")
            self.log.add_api(message)
        return self._publish("message", message)

    inject_command = inject_message

    def inject_document(
        self,
        chat_id: int,
        data: bytes,
        file_name: str,
        *,
        mime_type: str | None = None,
        caption: str | None = None,
        user_id: int | None = None,
        message_thread_id: int | None = None,
    ) -> dict:
        """A user sends a file; the bot can fetch it with getFile and the file URL."""
        with self._lock:
            chat = self.directory.chat(chat_id, create=True)
            stored = self.log.store_file("document", bytes(data), file_name, mime_type)
            message = self._base_message(chat, self._sender(chat, user_id), message_thread_id)
            message["document"] = {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "file_name": file_name,
                "file_size": len(stored.data),
            }
            if mime_type:
                message["document"]["mime_type"] = mime_type
            if caption is not None:
                message["caption"] = caption
                if entities := text_entities(caption):
                    message["caption_entities"] = entities
            self.log.add_api(message)
        return self._publish("message", message)

    def inject_callback(
        self,
        chat_id: int,
        message_id: int,
        data: str | None = None,
        *,
        button_text: str | None = None,
        user_id: int | None = None,
        forged: bool = False,
    ) -> str:
        """A user presses an inline button of a bot message (by callback_data or by its text).
        ``forged`` sends ``data`` as given, whatever buttons the message has (a modified client, a stale
        button). Returns the callback query id, to look up the bot's answerCallbackQuery."""
        with self._lock:
            chat = self.directory.chat(chat_id)
            message = self.log.message(chat_id, message_id, purpose="press")
            buttons = [b for row in message.get("reply_markup", {}).get("inline_keyboard", []) for b in row]
            match = [b for b in buttons if (data is None or b.get("callback_data") == data)]
            match = [b for b in match if button_text is None or b.get("text") == button_text]
            if forged:
                match = [{"callback_data": data}]
            if not match or "callback_data" not in match[0]:
                offered = [(b.get("text"), b.get("callback_data")) for b in buttons]
                raise ValueError(f"no button data={data!r} text={button_text!r} on message {message_id}: {offered}")
            user = self._sender(chat, user_id)
            query_id = f"{next(_callback_ids)}{int(time.time() * 1000) % 10**9}"
            self.log.queries.add(query_id)
            payload = {
                "id": query_id,
                "from": user.to_api(),
                "message": message,
                "chat_instance": str(abs(chat_id)),
                "data": match[0]["callback_data"],
            }
        self._publish("callback_query", payload)
        return query_id

    def inject_my_chat_member(
        self, chat_id: int, new_status: str, *, user_id: int | None = None, old_status: str | None = None
    ) -> dict:
        """The bot's own status in a chat changes (added, promoted, removed, blocked: "kicked" in private).
        user_id is who did it (the private chat's user by default)."""
        with self._lock:
            chat = self.directory.chat(chat_id, create=True)
            if user_id is None and chat.type == "private":
                user_id = chat_id
            actor = self._sender(chat, user_id)
            previous = self.directory.set_status(chat_id, self.bot_user.id, new_status)
            payload = {
                "chat": chat.to_api(),
                "from": actor.to_api(),
                "date": int(time.time()),
                "old_chat_member": self._member(old_status or previous),
                "new_chat_member": self._member(new_status),
            }
        return self._publish("my_chat_member", payload)

    def _member(self, status: str) -> dict:
        return member_to_api(status, self.bot_user.to_api())

    def inject_channel_post(self, chat_id: int, text: str) -> dict:
        with self._lock:
            chat = self.directory.chat(chat_id)
            message = self._base_message(chat, None, None)
            message["sender_chat"] = chat.to_api()
            message["text"] = text
            self.log.add_api(message)
        return self._publish("channel_post", message)

    def migrate_chat(self, old_chat_id: int, new_chat_id: int, *, notify: bool = True) -> ChatInfo:
        """A group becomes a supergroup: sends to the old id now fail with migrate_to_chat_id."""
        with self._lock:
            old = self.directory.chat(old_chat_id)
            new = ChatInfo(new_chat_id, "supergroup", old.title, old.username, None, None, old.is_forum)
            self.directory.add_chat(new, dict(self.directory.members.get(old_chat_id, {})), "member")
            self.directory.migrated_to[old_chat_id] = new_chat_id
            if notify:
                first = self._base_message(old, None, None)
                first["migrate_to_chat_id"] = new_chat_id
                second = self._base_message(new, None, None)
                second["migrate_from_chat_id"] = old_chat_id
                self._queue("message", first)
                self._queue("message", second)
        self._notify_updates()
        return new
