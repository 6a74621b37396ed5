"""What the bot sent: messages, edits, files, callback answers and command menus, kept for tests to read."""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

from .faults import ApiError


@dataclass(frozen=True)
class StoredFile:
    file_id: str
    file_unique_id: str
    kind: str  # "document" or "photo"
    file_name: str | None
    mime_type: str | None
    data: bytes

    @property
    def file_path(self) -> str:
        suffix = "" if not self.file_name or "." not in self.file_name else "." + self.file_name.rsplit(".", 1)[1]
        return f"{self.kind}s/{self.file_unique_id}{suffix}"

    def to_json(self) -> dict:
        return {
            "file_id": self.file_id,
            "kind": self.kind,
            "file_name": self.file_name,
            "mime_type": self.mime_type,
            "size": len(self.data),
        }


@dataclass(frozen=True)
class SentMessage:
    """One message the bot sent, as it is now (after edits). text is the plain text Telegram shows,
    raw_text what the bot sent (before HTML parsing); for documents and photos they hold the caption."""

    chat_id: int
    message_id: int
    kind: str  # "text", "document" or "photo"
    text: str | None
    raw_text: str | None
    entities: tuple[dict, ...] = ()
    parse_mode: str | None = None
    reply_markup: dict | None = None
    message_thread_id: int | None = None
    disable_notification: bool = False
    link_preview_options: dict | None = None
    reply_parameters: dict | None = None
    file_id: str | None = None
    file_name: str | None = None
    edits: int = 0
    sent_at: float = 0.0  # time.time()
    token: str = ""

    def buttons(self) -> list[dict]:
        """The inline keyboard's buttons, row after row."""
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [button for row in rows for button in row]

    def to_json(self) -> dict:
        out = dict(self.__dict__)
        out["entities"] = list(self.entities)
        return out

    @classmethod
    def from_json(cls, data: dict) -> SentMessage:
        return cls(**{**data, "entities": tuple(data.get("entities") or ())})


@dataclass(frozen=True)
class Edit:
    chat_id: int
    message_id: int
    method: str
    text: str | None
    raw_text: str | None
    entities: tuple[dict, ...]
    reply_markup: dict | None
    at: float

    def to_json(self) -> dict:
        return {**self.__dict__, "entities": list(self.entities)}

    @classmethod
    def from_json(cls, data: dict) -> Edit:
        return cls(**{**data, "entities": tuple(data["entities"])})


@dataclass(frozen=True)
class CallbackAnswer:
    callback_query_id: str
    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int | None
    at: float

    def to_json(self) -> dict:
        return dict(self.__dict__)


@dataclass
class MessageLog:
    """Every message in every chat (API JSON), plus the bot's own messages as SentMessage records."""

    api: dict[tuple[int, int], dict] = field(default_factory=dict)
    sent: dict[tuple[int, int], SentMessage] = field(default_factory=dict)
    sent_order: list[tuple[int, int]] = field(default_factory=list)
    by_chat: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    edits: list[Edit] = field(default_factory=list)
    deleted: list[tuple[int, int]] = field(default_factory=list)
    files: dict[str, StoredFile] = field(default_factory=dict)
    files_by_path: dict[str, StoredFile] = field(default_factory=dict)
    callback_answers: list[CallbackAnswer] = field(default_factory=list)
    queries: set[str] = field(default_factory=set)  # callback query ids handed to the bot
    commands: dict[tuple[str, str], list[dict]] = field(default_factory=dict)
    fresh: list[SentMessage] = field(default_factory=list)  # sent or edited since the last take_fresh()
    _next_id: dict[int, int] = field(default_factory=dict)
    _file_counter: int = 0

    def next_message_id(self, chat_id: int) -> int:
        value = self._next_id.get(chat_id, 0) + 1
        self._next_id[chat_id] = value
        return value

    def add_api(self, message: dict) -> None:
        self.api[(message["chat"]["id"], message["message_id"])] = message

    def add_sent(self, record: SentMessage, message: dict) -> None:
        key = (record.chat_id, record.message_id)
        self.add_api(message)
        self.sent[key] = record
        self.sent_order.append(key)
        self.by_chat.setdefault(record.chat_id, []).append(key)
        self.fresh.append(record)

    def take_fresh(self) -> list[SentMessage]:
        fresh, self.fresh = self.fresh, []
        return fresh

    def sent_messages(self, chat_id: int | None = None) -> list[SentMessage]:
        keys = self.sent_order if chat_id is None else self.by_chat.get(chat_id, [])
        return [self.sent[key] for key in keys if key in self.sent]

    def message(self, chat_id: int, message_id: int, *, purpose: str = "edit") -> dict:
        message = self.api.get((chat_id, message_id))
        if message is None:
            raise ApiError(400, f"Bad Request: message to {purpose} not found")
        return message

    def edit(self, chat_id: int, message_id: int, method: str, changes: dict, record_changes: dict) -> dict:
        message = self.message(chat_id, message_id)
        updated = {k: v for k, v in {**message, **changes}.items() if v is not None}
        if {k: v for k, v in updated.items() if k != "edit_date"} == {
            k: v for k, v in message.items() if k != "edit_date"
        }:
            raise ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message",
            )
        updated["edit_date"] = int(time.time())
        self.api[(chat_id, message_id)] = updated
        record = self.sent.get((chat_id, message_id))
        if record is not None:
            record = replace(record, **record_changes, edits=record.edits + 1)
            self.sent[(chat_id, message_id)] = record
            self.fresh.append(record)
        self.edits.append(
            Edit(
                chat_id,
                message_id,
                method,
                updated.get("text", updated.get("caption")),
                record_changes.get("raw_text"),
                tuple(updated.get("entities", ())),
                updated.get("reply_markup"),
                time.time(),
            )
        )
        return updated

    def delete(self, chat_id: int, message_id: int) -> None:
        if self.api.pop((chat_id, message_id), None) is None:
            raise ApiError(400, "Bad Request: message to delete not found")
        self.sent.pop((chat_id, message_id), None)
        self.deleted.append((chat_id, message_id))

    def store_file(self, kind: str, data: bytes, file_name: str | None, mime_type: str | None) -> StoredFile:
        self._file_counter += 1
        unique = f"U{self._file_counter:08d}"
        stored = StoredFile(f"F{kind[0].upper()}{self._file_counter:08d}x", unique, kind, file_name, mime_type, data)
        self.files[stored.file_id] = stored
        self.files_by_path[stored.file_path] = stored
        return stored
