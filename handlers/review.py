"""/review: Coopwatch admins decide, one item at a time, what the classifier was unsure of.

Buttons ``rv:<variant>:<item>[...]``: send under the proposed topics, change the topics then send, not
relevant, skip. Every field is checked (handlers.callbacks) and the item's state re-read before anything is
written, so a stale, forged or repeated press changes nothing.
"""

from __future__ import annotations

from datetime import time

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import Application, CommandHandler, ContextTypes

from handlers.buttons import button, button_handler
from handlers.callbacks import Decoded
from handlers.common import bot_admin, ensure_chat, reply, runtime_of
from handlers.permissions import Action
from handlers.runtime import Runtime, get_runtime
from ingest.review import decide_and_deliver, notify_review_count
from presentation.i18n import Safe, t
from storage import review as review_store
from storage.models import Item, utcnow

DRAFTS = "review_topics"  # user_data: item id -> topics being picked
RV_SCHEMA = {
    "s": ("int",),  # send under the proposed topics
    "t": ("int",),  # change topics: show the picker
    "g": ("int", "topic#"),  # toggle one topic in the picker
    "o": ("int",),  # send under the picked topics
    "n": ("int",),  # not relevant
    "k": ("int",),  # skip: the next one
}


def _proposed(item: Item) -> list[str]:
    return list((item.annotation or {}).get("review_topics") or [])


def _view(runtime: Runtime, lang: str, item: Item) -> tuple[str, InlineKeyboardMarkup]:
    scores = (item.annotation or {}).get("scores") or {}
    evidence = (item.annotation or {}).get("evidence") or {}
    lines = []
    for topic in _proposed(item):
        terms = ", ".join((evidence.get(topic) or {}).get("terms") or []) or "—"
        lines.append(
            t(
                lang,
                "review.topic_line",
                topic=runtime.topic_name(topic, lang),
                score=f"{float(scores.get(topic, 0.0)):.2f}",
                terms=terms[:200],
            )
        )
    text = t(
        lang,
        "review.item",
        title=item.title,
        source=item.feed.display_name,
        url=item.url or "",
        summary=(item.short_summary or item.summary or "")[:700],
        topics=Safe("\n".join(lines)) if lines else t(lang, "review.no_topics"),
    )
    rows = [
        [
            InlineKeyboardButton(t(lang, "review.button_send"), callback_data=f"rv:s:{item.id}"),
            InlineKeyboardButton(t(lang, "review.button_change"), callback_data=f"rv:t:{item.id}"),
        ],
        [
            InlineKeyboardButton(t(lang, "review.button_not_relevant"), callback_data=f"rv:n:{item.id}"),
            InlineKeyboardButton(t(lang, "review.button_skip"), callback_data=f"rv:k:{item.id}"),
        ],
    ]
    return text, InlineKeyboardMarkup(rows)


def _picker(runtime: Runtime, lang: str, item_id: int, chosen: list[str]) -> InlineKeyboardMarkup:
    rows = [
        [
            InlineKeyboardButton(
                ("✅ " if tp in chosen else "") + runtime.topic_name(tp, lang), callback_data=f"rv:g:{item_id}:{i}"
            )
        ]
        for i, tp in enumerate(runtime.topic_ids)
    ]
    rows.append([InlineKeyboardButton(t(lang, "review.button_send_picked"), callback_data=f"rv:o:{item_id}")])
    return InlineKeyboardMarkup(rows)


async def _next_screen(runtime: Runtime, lang: str, after_id: int = 0) -> tuple[str, InlineKeyboardMarkup | None]:
    since = utcnow() - runtime.settings.review.max_age
    async with runtime.database.read_session() as session:
        item = await review_store.next_pending(session, since=since, after_id=after_id)
        waiting = await review_store.count_pending(session, since=since)
    if item is None:
        return t(lang, "review.empty" if not waiting else "review.end_of_round", count=waiting), None
    text, keyboard = _view(runtime, lang, item)
    return t(lang, "review.waiting", count=waiting) + "\n\n" + text, keyboard


async def review_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat = await ensure_chat(update, context)
    if not bot_admin(update, context):
        await reply(update, chat.lang, "error.not_bot_admin")
        return
    text, keyboard = await _next_screen(runtime_of(context), chat.lang)
    await update.effective_message.reply_text(text, reply_markup=keyboard, do_quote=False)


async def _edit(query: CallbackQuery, text: str, keyboard: InlineKeyboardMarkup | None) -> None:
    try:
        await query.edit_message_text(text, reply_markup=keyboard)
    except BadRequest as exc:
        if "not modified" not in exc.message.lower():
            raise


@button("rv", RV_SCHEMA, Action.ADMIN)
async def review_button(update: Update, context: ContextTypes.DEFAULT_TYPE, decoded: Decoded) -> None:
    """A review decision, from a configured admin, with data the codec has checked."""
    query = update.callback_query
    chat = await ensure_chat(update, context)
    lang = chat.lang
    runtime = runtime_of(context)
    variant, item_id = decoded.variant, int(decoded.fields[0])
    if variant == "k":
        await _edit(query, *await _next_screen(runtime, lang, after_id=item_id))
        await query.answer()
        return
    async with runtime.database.read_session() as session:
        item = await session.get(Item, item_id)
        decided = await review_store.get_decision(session, item_id)
    if item is None or decided is not None or item.band != "review":
        await query.answer(t(lang, "review.gone"), show_alert=True)
        return
    drafts = context.user_data.setdefault(DRAFTS, {})
    if variant in ("t", "g"):
        chosen = drafts.setdefault(item_id, _proposed(item))
        if variant == "g":
            topic = decoded.fields[1]
            if topic is None:
                await query.answer(t(lang, "error.expired_button"), show_alert=True)
                return
            chosen.remove(topic) if topic in chosen else chosen.append(topic)
        await _edit(query, t(lang, "review.pick", title=item.title), _picker(runtime, lang, item_id, chosen))
        await query.answer()
        return
    if variant == "n":
        decision, topics = "not_relevant", []
    else:
        decision = "sent"
        topics = list(drafts.get(item_id, _proposed(item))) if variant == "o" else _proposed(item)
        if not topics:
            await query.answer(t(lang, "review.pick_one"), show_alert=True)
            return
    try:
        async with runtime.database.session() as session:
            queued = await decide_and_deliver(session, item_id, decision, topics, update.effective_user.id)
    except (LookupError, review_store.AlreadyDecided):
        await query.answer(t(lang, "review.gone"), show_alert=True)
        return
    drafts.pop(item_id, None)
    runtime.wake_sender()
    await _edit(query, *await _next_screen(runtime, lang, after_id=item_id))
    await query.answer(t(lang, "review.sent", count=queued) if decision == "sent" else t(lang, "review.dismissed"))


async def daily_count(context: ContextTypes.DEFAULT_TYPE) -> None:
    runtime = runtime_of(context)
    since = utcnow() - runtime.settings.review.max_age
    if await notify_review_count(runtime.database, runtime.settings.bot, since=since):
        runtime.wake_sender()


def register(application: Application) -> None:
    application.add_handler(CommandHandler("review", review_command))
    application.add_handler(button_handler(review_button))
    queue = application.job_queue
    if queue is not None:
        hour = get_runtime(application).settings.review.daily_hour
        queue.run_daily(daily_count, time(hour=hour), name="review:daily")
