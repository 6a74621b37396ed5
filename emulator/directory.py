"""Chats, users and memberships the tests register, rendered as the Bot API's JSON objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from .faults import ApiError

CHAT_TYPES = frozenset({"private", "group", "supergroup", "channel"})
MEMBER_STATUSES = frozenset({"creator", "administrator", "member", "restricted", "left", "kicked"})
_ADMIN_RIGHTS = (
    "can_manage_chat", "can_delete_messages", "can_manage_video_chats", "can_restrict_members",
    "can_promote_members", "can_change_info", "can_invite_users", "can_post_stories", "can_edit_stories",
    "can_delete_stories", "can_post_messages", "can_edit_messages", "can_pin_messages", "can_manage_topics",
)  # fmt: skip
_RESTRICTED_FLAGS = (
    "can_change_info",
    "can_invite_users",
    "can_pin_messages",
    "can_send_messages",
    "can_send_polls",
    "can_send_other_messages",
    "can_add_web_page_previews",
    "can_manage_topics",
    "can_send_audios",
    "can_send_documents",
    "can_send_photos",
    "can_send_videos",
    "can_send_video_notes",
    "can_send_voice_notes",
    "can_edit_tag",
)


@dataclass(frozen=True)
class UserInfo:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_bot: bool = False

    def to_api(self) -> dict:
        out: dict = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        return out

    @cached_property
    def api(self) -> dict:
        """to_api() computed once; treat it as read-only."""
        return self.to_api()


@dataclass(frozen=True)
class ChatInfo:
    id: int
    type: str
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    is_forum: bool = False

    def to_api(self) -> dict:
        out: dict = {"id": self.id, "type": self.type}
        for key in ("title", "username", "first_name", "last_name"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        if self.is_forum:
            out["is_forum"] = True
        return out

    @cached_property
    def api(self) -> dict:
        """to_api() computed once; treat it as read-only."""
        return self.to_api()

    def to_full_api(self) -> dict:
        gifts = ("unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription", "gifts_from_channels")
        return {
            **self.to_api(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": dict.fromkeys(gifts, False),
        }


def default_chat_type(chat_id: int) -> str:
    """Telegram's id ranges: users are positive, basic groups negative, -100... supergroups/channels."""
    if chat_id > 0:
        return "private"
    return "supergroup" if str(chat_id).startswith("-100") else "group"


def member_to_api(status: str, user: dict) -> dict:
    if status == "creator":
        return {"status": status, "user": user, "is_anonymous": False}
    if status == "administrator":
        rights = dict.fromkeys(_ADMIN_RIGHTS, True)
        return {"status": status, "user": user, "can_be_edited": False, "is_anonymous": False, **rights}
    if status == "kicked":
        return {"status": status, "user": user, "until_date": 0}
    if status == "restricted":
        flags = _RESTRICTED_FLAGS
        return {"status": status, "user": user, "is_member": True, "until_date": 0, **dict.fromkeys(flags, False)}
    return {"status": status, "user": user}


@dataclass
class Directory:
    bot: UserInfo
    auto_create: bool = True
    chats: dict[int, ChatInfo] = field(default_factory=dict)
    users: dict[int, UserInfo] = field(default_factory=dict)
    members: dict[int, dict[int, str]] = field(default_factory=dict)  # chat -> user -> status
    migrated_to: dict[int, int] = field(default_factory=dict)

    def add_user(self, user: UserInfo) -> None:
        self.users[user.id] = user
        if user.id not in self.chats:
            self.chats[user.id] = ChatInfo(user.id, "private", None, user.username, user.first_name, user.last_name)
            self.members[user.id] = {user.id: "member", self.bot.id: "member"}

    def add_chat(self, chat: ChatInfo, members: dict[int, str], bot_status: str) -> None:
        if chat.type not in CHAT_TYPES:
            raise ValueError(f"unknown chat type {chat.type!r}; expected one of {sorted(CHAT_TYPES)}")
        for status in [*members.values(), bot_status]:
            if status not in MEMBER_STATUSES:
                raise ValueError(f"unknown member status {status!r}; expected one of {sorted(MEMBER_STATUSES)}")
        self.chats[chat.id] = chat
        self.members[chat.id] = {**members, self.bot.id: bot_status}

    def chat(self, chat_id: int, *, create: bool = False) -> ChatInfo:
        chat = self.chats.get(chat_id)
        if chat is None and create and self.auto_create:
            kind = default_chat_type(chat_id)
            title = None if kind == "private" else f"Chat {chat_id}"
            first = f"User {chat_id}" if kind == "private" else None
            chat = self.chats[chat_id] = ChatInfo(chat_id, kind, title, None, first)
            self.members[chat_id] = {self.bot.id: "member"}
            if kind == "private":
                self.members[chat_id][chat_id] = "member"
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        return chat

    def user(self, user_id: int) -> UserInfo:
        user = self.users.get(user_id)
        if user is None:
            user = self.users[user_id] = UserInfo(user_id, f"User {user_id}")
        return user

    def status(self, chat_id: int, user_id: int) -> str:
        return self.members.get(chat_id, {}).get(user_id, "left")

    def set_status(self, chat_id: int, user_id: int, status: str) -> str:
        if status not in MEMBER_STATUSES:
            raise ValueError(f"unknown member status {status!r}")
        old = self.status(chat_id, user_id)
        self.members.setdefault(chat_id, {})[user_id] = status
        return old

    def member_api(self, chat_id: int, user_id: int) -> dict:
        user = self.bot if user_id == self.bot.id else self.user(user_id)
        return member_to_api(self.status(chat_id, user_id), user.to_api())

    def admins_api(self, chat_id: int) -> list[dict]:
        chat = self.chat(chat_id)
        if chat.type == "private":
            raise ApiError(400, "Bad Request: there are no administrators in the private chat")
        ids = [uid for uid, st in self.members.get(chat_id, {}).items() if st in ("creator", "administrator")]
        return [self.member_api(chat_id, uid) for uid in ids]

    def check_can_send(self, chat: ChatInfo) -> None:
        """Raise what Telegram answers when the bot writes to a chat it cannot write to."""
        if chat.id in self.migrated_to:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": self.migrated_to[chat.id]},
            )
        status = self.status(chat.id, self.bot.id)
        if chat.type == "private":
            if status == "kicked":
                raise ApiError(403, "Forbidden: bot was blocked by the user")
        elif status == "kicked":
            raise ApiError(403, f"Forbidden: bot was kicked from the {chat.type} chat")
        elif status == "left":
            raise ApiError(403, f"Forbidden: bot is not a member of the {chat.type} chat")
        elif chat.type == "channel" and status != "administrator":
            raise ApiError(400, "Bad Request: need administrator rights in the channel chat")
