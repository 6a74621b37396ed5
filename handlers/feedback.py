"""Readers' feedback on alerts: "useful" / "not for me" (then why). A press answers the callback and edits
the alert's buttons; it never sends a message, in a group or anywhere. Anyone who sees an alert may press;
one verdict per user and item, a Coopwatch admin's counts as confirmed."""

from __future__ import annotations

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import Application, ContextTypes

from delivery.feedback_markup import REASONS, feedback_keyboard, reasons_keyboard
from handlers.buttons import button, button_handler
from handlers.callbacks import Decoded
from handlers.common import bot_admin, chat_language, runtime_of
from handlers.permissions import Action
from presentation.i18n import t
from storage import feedback as feedback_store
from storage import items as item_store

FB_SCHEMA = {"u": ("int",), "n": ("int",), "r": ("int", REASONS)}


@button("fb", FB_SCHEMA, Action.VIEW)
async def feedback_button(update: Update, context: ContextTypes.DEFAULT_TYPE, decoded: Decoded) -> None:
    """A reader's verdict on an alert; any member may give one, and the codec has checked the data."""
    query = update.callback_query
    chat, user = update.effective_chat, update.effective_user
    lang = await chat_language(context, chat.id) if chat is not None else "en"
    item_id = int(decoded.fields[0])
    runtime = runtime_of(context)
    async with runtime.database.read_session() as session:
        exists = await item_store.get_item(session, item_id) is not None
    if not exists or user is None or chat is None:
        await query.answer(t(lang, "feedback.gone"), show_alert=True)
        return
    if decoded.variant == "n":  # ask why; nothing is stored until a reason is chosen
        await _edit_buttons(query, reasons_keyboard(item_id, lang))
        await query.answer(t(lang, "feedback.why"))
        return
    verdict = "useful" if decoded.variant == "u" else "not_for_me"
    reason = str(decoded.fields[1]) if decoded.variant == "r" else None
    async with runtime.database.session() as session:
        await feedback_store.record(
            session,
            item_id=item_id,
            user_id=user.id,
            chat_id=chat.id,
            verdict=verdict,
            reason=reason,
            confirmed=bot_admin(update, context),
        )
        counts = await feedback_store.counts_for_item(session, item_id)
    await _edit_buttons(query, feedback_keyboard(item_id, lang, counts))
    await query.answer(t(lang, "feedback.thanks"))


async def _edit_buttons(query, markup) -> None:  # noqa: ANN001 - PTB CallbackQuery, InlineKeyboardMarkup
    try:
        await query.edit_message_reply_markup(markup)
    except BadRequest as exc:  # the same counts again: nothing to change
        if "not modified" not in exc.message.lower():
            raise


def register(application: Application) -> None:
    application.add_handler(button_handler(feedback_button))
