"""Where the bot is: my_chat_member updates and group-to-supergroup migrations keep ``chats`` in step."""

from __future__ import annotations

import logging

from telegram import ChatMember, ChatMemberUpdated, Update
from telegram.ext import Application, ChatMemberHandler, ContextTypes, MessageHandler, filters

from handlers.common import runtime_of
from presentation.i18n import normalise_language
from storage import chats as chat_store

log = logging.getLogger(__name__)

PRESENT = (ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER, ChatMember.RESTRICTED)


def bot_is_present(change: ChatMemberUpdated) -> bool:
    member = change.new_chat_member
    if member.status == ChatMember.RESTRICTED:
        return bool(getattr(member, "is_member", True))
    return member.status in PRESENT


async def my_chat_member(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    change = update.my_chat_member
    if change is None:
        return
    chat = change.chat
    present = bot_is_present(change)
    runtime = runtime_of(context)
    lang = normalise_language(
        change.from_user.language_code if change.from_user else None, runtime.settings.bot.default_language
    )
    async with runtime.database.session() as session:
        await chat_store.upsert_chat(
            session,
            chat_id=chat.id,
            type=chat.type,
            title=chat.title,
            username=chat.username,
            language=lang,
            active=True,
        )
        if not present:
            dropped = await chat_store.deactivate_chat(session, chat.id)
            log.info("left chat %s (%s); %d queued messages dropped", chat.id, change.new_chat_member.status, dropped)
        else:
            log.info("in chat %s as %s", chat.id, change.new_chat_member.status)


async def migrated(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A group became a supergroup: move its subscriptions before any send hits the old id."""
    message = update.effective_message
    if message is None or message.migrate_to_chat_id is None:
        return
    async with runtime_of(context).database.session() as session:
        if await chat_store.get_chat(session, message.chat.id) is not None:
            await chat_store.migrate_chat(session, message.chat.id, message.migrate_to_chat_id)


def register(application: Application) -> None:
    application.add_handler(ChatMemberHandler(my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER), group=-1)
    application.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, migrated), group=-1)
