"""The one place that decides whether the user behind an update may act on a chat.

- a configured Coopwatch admin may act on any chat;
- a private chat: its owner;
- a group or supergroup: its administrators, and an anonymous admin writing *as the group* (a message whose
  ``sender_chat`` is the group). A callback is always decided from the user who pressed: the message under a
  button is the bot's own, so its sender says nothing about who pressed;
- a channel: a channel post is written by one of its admins; a press is allowed only when getChatMember says
  the pressing user is an administrator (cached for ``MEMBER_TTL``).
"""

from __future__ import annotations

import logging
import time

from telegram import ChatMember, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from handlers.runtime import get_runtime

log = logging.getLogger(__name__)

ADMIN_STATUSES = (ChatMember.ADMINISTRATOR, ChatMember.OWNER)
MEMBER_TTL = 60.0  # seconds a getChatMember answer is trusted
CACHE_KEY = "permissions_member_cache"


def _cache(context: ContextTypes.DEFAULT_TYPE) -> dict[tuple[int | str, int], tuple[float, bool]]:
    return context.application.bot_data.setdefault(CACHE_KEY, {})


async def is_chat_admin(context: ContextTypes.DEFAULT_TYPE, chat_id: int | str, user_id: int) -> bool:
    """getChatMember says administrator or owner; answers are cached briefly, failures count as no."""
    cache = _cache(context)
    now = time.monotonic()
    hit = cache.get((chat_id, user_id))
    if hit is not None and hit[0] > now:
        return hit[1]
    try:
        member = await context.bot.get_chat_member(chat_id, user_id)
    except TelegramError as exc:
        log.info("getChatMember(%s, %s) failed: %s", chat_id, user_id, exc)
        return False
    allowed = member.status in ADMIN_STATUSES
    if len(cache) > 10_000:
        cache.clear()
    cache[(chat_id, user_id)] = (now + MEMBER_TTL, allowed)
    return allowed


async def may_act(update: Update, context: ContextTypes.DEFAULT_TYPE, chat_id: int | None = None) -> bool:
    """May the user behind ``update`` change ``chat_id`` (default: the update's chat)?"""
    chat = update.effective_chat
    user = update.effective_user
    if get_runtime(context.application).is_admin(user.id if user else None):
        return True
    if chat is None:
        return False
    target = chat.id if chat_id is None else chat_id
    if target != chat.id:
        # Another chat (a channel managed from private): only its administrators.
        return user is not None and await is_chat_admin(context, target, user.id)
    if update.callback_query is not None:
        if user is None:
            return False
        if chat.type == ChatType.PRIVATE:
            return user.id == chat.id
        return await is_chat_admin(context, chat.id, user.id)
    if chat.type == ChatType.PRIVATE:
        return user is not None and user.id == chat.id
    if chat.type == ChatType.CHANNEL:
        return update.channel_post is not None  # only the channel's admins can post in it
    message = update.effective_message
    if message is not None and message.sender_chat is not None and message.sender_chat.id == chat.id:
        return True  # an anonymous group admin writes as the group itself
    return user is not None and await is_chat_admin(context, chat.id, user.id)
