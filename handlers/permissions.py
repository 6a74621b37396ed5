"""The one place that decides whether the user behind an update may act on a chat.

Two kinds of act: ``VIEW`` (page a list the bot posted) and ``MANAGE`` (change the chat's subscriptions or
settings). A configured Coopwatch admin may do both anywhere. Otherwise:

- a private chat: its owner, for both;
- a group or supergroup: ``MANAGE`` for its administrators, including an anonymous admin writing *as the group*
  (a message whose ``sender_chat`` is the group itself); a member writing as some other chat (their own
  channel) is not one. ``VIEW`` for anyone who can write there, and for presses from members;
- a channel: a channel post is written by one of its admins; a press, even to page a list, only by a user
  getChatMember calls an administrator (the edit is seen by every subscriber).

A press is always decided from the user who pressed (``callback_query.from``): the message under a button is
the bot's own, so its sender says nothing about who pressed. getChatMember answers are cached for
``MEMBER_TTL``; a failed call counts as "not a member".
"""

from __future__ import annotations

import logging
import time
from enum import StrEnum

from telegram import ChatMember, ChatMemberRestricted, Message, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from handlers.runtime import get_runtime

log = logging.getLogger(__name__)

MEMBER_TTL = 60.0  # seconds a getChatMember answer is trusted
CACHE_KEY = "permissions_member_cache"
CACHE_MAX = 10_000


class Action(StrEnum):
    VIEW = "view"
    MANAGE = "manage"
    ADMIN = "admin"  # the configured Coopwatch admins only, whatever the chat


class Role(StrEnum):
    ADMIN = "admin"
    MEMBER = "member"
    NONE = "none"


def _role_of(member: ChatMember) -> Role:
    if member.status in (ChatMember.ADMINISTRATOR, ChatMember.OWNER):
        return Role.ADMIN
    if member.status == ChatMember.MEMBER:
        return Role.MEMBER
    if isinstance(member, ChatMemberRestricted) and member.is_member:
        return Role.MEMBER
    return Role.NONE  # left, kicked, or restricted and not in the chat


def _cache(context: ContextTypes.DEFAULT_TYPE) -> dict[tuple[int | str, int], tuple[float, Role]]:
    return context.application.bot_data.setdefault(CACHE_KEY, {})


async def chat_role(context: ContextTypes.DEFAULT_TYPE, chat_id: int | str, user_id: int) -> Role:
    """What getChatMember says the user is in the chat; cached briefly, a failure counts as NONE."""
    cache = _cache(context)
    now = time.monotonic()
    hit = cache.get((chat_id, user_id))
    if hit is not None and hit[0] > now:
        return hit[1]
    try:
        role = _role_of(await context.bot.get_chat_member(chat_id, user_id))
    except TelegramError as exc:
        log.info("getChatMember(%s, %s) failed: %s", chat_id, user_id, exc)
        return Role.NONE
    if len(cache) > CACHE_MAX:
        cache.clear()
    cache[(chat_id, user_id)] = (now + MEMBER_TTL, role)
    return role


async def is_chat_admin(context: ContextTypes.DEFAULT_TYPE, chat_id: int | str, user_id: int) -> bool:
    return await chat_role(context, chat_id, user_id) == Role.ADMIN


def _writes_as_the_group(message: Message | None, chat_id: int) -> bool:
    return message is not None and message.sender_chat is not None and message.sender_chat.id == chat_id


async def _press(
    context: ContextTypes.DEFAULT_TYPE, chat_type: str, chat_id: int, user_id: int, action: Action
) -> bool:
    if chat_type == ChatType.PRIVATE:
        return user_id == chat_id
    role = await chat_role(context, chat_id, user_id)
    if chat_type == ChatType.CHANNEL or action == Action.MANAGE:
        return role == Role.ADMIN
    return role in (Role.ADMIN, Role.MEMBER)


async def may_act(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    chat_id: int | None = None,
    *,
    action: Action = Action.MANAGE,
) -> bool:
    """May the user behind ``update`` do ``action`` on ``chat_id`` (default: the update's chat)?"""
    chat = update.effective_chat
    query = update.callback_query
    user = query.from_user if query is not None else update.effective_user
    if user is not None and get_runtime(context.application).is_admin(user.id):
        return True
    if action == Action.ADMIN:
        return False
    if chat is None:
        return False
    target = chat.id if chat_id is None else chat_id
    if target != chat.id:  # another chat (a channel managed from private): only its administrators
        return user is not None and await is_chat_admin(context, target, user.id)
    if query is not None:
        return user is not None and await _press(context, chat.type, chat.id, user.id, action)
    if chat.type == ChatType.PRIVATE:
        return user is not None and user.id == chat.id
    if chat.type == ChatType.CHANNEL:
        return update.channel_post is not None  # only the channel's admins can post in it
    message = update.effective_message
    if _writes_as_the_group(message, chat.id):
        return True  # an anonymous group admin
    if message is not None and message.sender_chat is not None:
        return action == Action.VIEW  # someone writing as another chat: who they are is hidden
    if action == Action.VIEW:
        return user is not None
    return user is not None and await is_chat_admin(context, chat.id, user.id)
