"""/subscribe (buttons or arguments), /unsubscribe and /mysubs, for a chat, a forum topic or a channel."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.error import BadRequest, TelegramError
from telegram.ext import Application, CommandHandler, ContextTypes

from handlers.buttons import button, button_handler
from handlers.callbacks import Decoded
from handlers.common import (
    ArgumentError,
    ChatContext,
    ensure_chat,
    may_manage,
    reply,
    reply_error,
    runtime_of,
)
from handlers.filters import KEYBOARD_COUNTRIES, Filters, describe, parse_filters
from handlers.permissions import Action, is_chat_admin
from presentation.i18n import t
from presentation.names import country_name
from storage import chats as chat_store
from storage import subscriptions as sub_store

DRAFTS = "subscribe_drafts"


@dataclass(frozen=True)
class Target:
    """Where subscriptions go: this chat (maybe one forum topic) or a channel managed from private."""

    chat_id: int
    thread_id: int | None
    label: str | None = None  # "@channel" when not the current chat


async def _resolve_channel(update: Update, context: ContextTypes.DEFAULT_TYPE, chat: ChatContext, name: str) -> Target:
    """A channel is managed from a private chat by a user who is admin there, once the bot is admin."""
    if chat.chat_type != ChatType.PRIVATE:
        raise ArgumentError("subscribe.channel_from_private")
    try:
        channel = await context.bot.get_chat(name)
    except TelegramError:
        raise ArgumentError("subscribe.channel_not_found", channel=name) from None
    user = update.effective_user
    if user is None or not await is_chat_admin(context, channel.id, user.id):
        raise ArgumentError("subscribe.channel_not_admin", channel=name)
    if not await is_chat_admin(context, channel.id, context.bot.id):
        raise ArgumentError("subscribe.channel_bot_not_admin", channel=name)
    async with runtime_of(context).database.session() as session:
        await chat_store.upsert_chat(
            session,
            chat_id=channel.id,
            type=channel.type,
            title=channel.title,
            username=channel.username,
            language=chat.lang,
        )
    return Target(channel.id, None, name)


async def _target(update: Update, context: ContextTypes.DEFAULT_TYPE, chat: ChatContext, filters: Filters) -> Target:
    if filters.channel:
        return await _resolve_channel(update, context, chat, filters.channel)
    if not await may_manage(update, context):
        raise ArgumentError("error.not_admin")
    return Target(chat.chat_id, chat.thread_id)


async def _add(
    context: ContextTypes.DEFAULT_TYPE, target: Target, pairs: list[tuple[str | None, str | None]], lang: str
) -> str:
    runtime = runtime_of(context)
    async with runtime.database.session() as session:
        for topic, country in pairs:
            await sub_store.add_subscription(
                session, target.chat_id, topic=topic, country=country, thread_id=target.thread_id
            )
    lines = "\n".join(f"• {describe(tp, c, lang, runtime.topic_name)}" for tp, c in pairs)
    key = "subscribe.done_channel" if target.label else "subscribe.done"
    return t(lang, key, filters=lines, channel=target.label or "")


async def subscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat = await ensure_chat(update, context)
    runtime = runtime_of(context)
    try:
        filters = parse_filters(context.args or [], runtime.topic_ids, usage="subscribe")
        target = await _target(update, context, chat, filters)
    except ArgumentError as exc:
        await reply_error(update, chat.lang, exc)
        return
    if not context.args or (filters.channel and len(context.args) == 1):
        if filters.channel:
            await reply(update, chat.lang, "subscribe.channel_needs_filters", channel=filters.channel)
            return
        await _ask_topic(update, context, chat, target)
        return
    await update.effective_message.reply_text(await _add(context, target, filters.pairs(), chat.lang), do_quote=False)


async def _ask_topic(update: Update, context: ContextTypes.DEFAULT_TYPE, chat: ChatContext, target: Target) -> None:
    runtime = runtime_of(context)
    rows = [
        [InlineKeyboardButton(runtime.topic_name(tp, chat.lang), callback_data=f"sub:t:{tp}")]
        for tp in runtime.topic_ids
    ]
    rows.append([InlineKeyboardButton(t(chat.lang, "subscribe.any_topic"), callback_data="sub:t:*")])
    sent = await update.effective_message.reply_text(
        t(chat.lang, "subscribe.choose_topic"), reply_markup=InlineKeyboardMarkup(rows), do_quote=False
    )
    context.chat_data.setdefault(DRAFTS, {})[sent.message_id] = {
        "thread": target.thread_id,
        "topic": None,
        "countries": [],
    }


def _country_keyboard(lang: str, selected: list[str]) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(
            ("✅ " if code in selected else "") + country_name(code, lang), callback_data=f"sub:c:{code}"
        )
        for code in KEYBOARD_COUNTRIES
    ]
    rows = [buttons[i : i + 3] for i in range(0, len(buttons), 3)]
    rows.append(
        [
            InlineKeyboardButton(t(lang, "subscribe.any_country"), callback_data="sub:c:*"),
            InlineKeyboardButton(t(lang, "subscribe.button_done"), callback_data="sub:ok"),
        ]
    )
    return InlineKeyboardMarkup(rows)


SUB_SCHEMA = {"t": ("topic*",), "c": ("country*",), "ok": ()}


@button("sub", SUB_SCHEMA, Action.MANAGE)
async def subscribe_button(update: Update, context: ContextTypes.DEFAULT_TYPE, decoded: Decoded) -> None:
    query = update.callback_query
    chat = await ensure_chat(update, context)
    runtime = runtime_of(context)
    drafts = context.chat_data.setdefault(DRAFTS, {})
    draft = drafts.get(query.message.message_id) if query.message else None
    if draft is None:
        await query.answer(t(chat.lang, "subscribe.expired"), show_alert=True)
        return
    if decoded.variant == "t":
        draft["topic"] = decoded.fields[0]
        name = runtime.topic_name(draft["topic"], chat.lang) if draft["topic"] else t(chat.lang, "subscribe.any_topic")
        await query.edit_message_text(
            t(chat.lang, "subscribe.choose_countries", topic=name),
            reply_markup=_country_keyboard(chat.lang, draft["countries"]),
        )
        await query.answer()
        return
    value = decoded.fields[0] if decoded.fields else None
    if decoded.variant == "c" and value is not None:
        selected = draft["countries"]
        if value in selected:
            selected.remove(value)
        else:
            selected.append(value)
        await query.edit_message_reply_markup(_country_keyboard(chat.lang, selected))
        await query.answer()
        return
    if draft["topic"] is not None and draft["topic"] not in runtime.topic_ids:
        await query.answer(t(chat.lang, "error.expired_button"), show_alert=True)
        return
    countries = [None] if decoded.variant == "c" or not draft["countries"] else list(draft["countries"])
    pairs = [(draft["topic"], c) for c in countries]
    drafts.pop(query.message.message_id, None)
    text = await _add(context, Target(chat.chat_id, draft["thread"]), pairs, chat.lang)
    await query.edit_message_text(text)
    await query.answer()


async def _list(context: ContextTypes.DEFAULT_TYPE, chat_id: int, lang: str) -> tuple[str, InlineKeyboardMarkup | None]:
    runtime = runtime_of(context)
    async with runtime.database.read_session() as session:
        subs = await sub_store.list_subscriptions(session, chat_id)
    if not subs:
        return t(lang, "subscribe.none"), None
    lines, rows = [], []
    for sub in subs:
        label = describe(sub.topic, sub.country, lang, runtime.topic_name)
        if sub.thread_id is not None:
            label += " " + t(lang, "subscribe.in_thread", thread=sub.thread_id)
        lines.append(f"• {label}")
        rows.append([InlineKeyboardButton(f"✖ {label}"[:60], callback_data=f"unsub:{sub.id}")])
    return t(lang, "subscribe.list", filters="\n".join(lines)), InlineKeyboardMarkup(rows)


async def mysubs(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat = await ensure_chat(update, context)
    chat_id = chat.chat_id
    args = context.args or []
    if args and args[0].startswith("@"):
        try:
            chat_id = (await _resolve_channel(update, context, chat, args[0])).chat_id
        except ArgumentError as exc:
            await reply_error(update, chat.lang, exc)
            return
    text, keyboard = await _list(context, chat_id, chat.lang)
    await update.effective_message.reply_text(text, reply_markup=keyboard, do_quote=False)


@button("unsub", {"": ("int",)}, Action.MANAGE)
async def unsubscribe_button(update: Update, context: ContextTypes.DEFAULT_TYPE, decoded: Decoded) -> None:
    query = update.callback_query
    [sub_id] = decoded.fields
    chat = await ensure_chat(update, context)
    async with runtime_of(context).database.session() as session:
        removed = await sub_store.remove_subscription(session, chat.chat_id, sub_id)
    if not removed:  # not this chat's subscription (any more): nothing to remove, nothing written
        await query.answer(t(chat.lang, "error.expired_button"), show_alert=True)
    text, keyboard = await _list(context, chat.chat_id, chat.lang)
    with contextlib.suppress(BadRequest):  # "message is not modified" when the list is as shown
        await query.edit_message_text(text, reply_markup=keyboard)
    if removed:
        await query.answer(t(chat.lang, "subscribe.removed"))


async def unsubscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat = await ensure_chat(update, context)
    runtime = runtime_of(context)
    args = context.args or []
    try:
        filters = parse_filters(args, runtime.topic_ids, usage="unsubscribe")
        target = await _target(update, context, chat, filters)
    except ArgumentError as exc:
        await reply_error(update, chat.lang, exc)
        return
    if not args or (filters.channel and len(args) == 1):
        text, keyboard = await _list(context, target.chat_id, chat.lang)
        await update.effective_message.reply_text(text, reply_markup=keyboard, do_quote=False)
        return
    async with runtime.database.session() as session:
        if filters.everything:
            removed = await sub_store.remove_all(session, target.chat_id)
        else:
            removed = 0
            for topic, country in filters.pairs():
                removed += await sub_store.remove_matching(session, target.chat_id, topic=topic, country=country)
    await reply(update, chat.lang, "subscribe.unsubscribed", count=removed)


def register(application: Application) -> None:
    application.add_handler(CommandHandler("subscribe", subscribe))
    application.add_handler(CommandHandler("unsubscribe", unsubscribe))
    application.add_handler(CommandHandler("mysubs", mysubs))
    application.add_handler(button_handler(subscribe_button))
    application.add_handler(button_handler(unsubscribe_button))
