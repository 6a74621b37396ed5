"""/retrain: ``topics retrain`` from Telegram, for Coopwatch admins (config ``bot.admins``) only.

The CPU work runs in a thread (ingest.retrain), so the bot keeps answering meanwhile; one retrain at a time.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes

from analysis import ClassifierError
from handlers.common import bot_admin, ensure_chat, reply, runtime_of
from presentation.i18n import Safe, t
from storage import audit


async def retrain_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat = await ensure_chat(update, context)
    if not bot_admin(update, context):
        await reply(update, chat.lang, "error.not_bot_admin")
        return
    runtime = runtime_of(context)
    if runtime.retrain is None:
        await reply(update, chat.lang, "retrain.unavailable")
        return
    if runtime.retrain_lock.locked():
        await reply(update, chat.lang, "retrain.busy")
        return
    force = [a.lower() for a in context.args or []] == ["force"]
    async with runtime.retrain_lock:
        await reply(update, chat.lang, "retrain.started")
        try:
            outcome = await runtime.retrain(force)
        except (ClassifierError, OSError) as exc:
            await reply(update, chat.lang, "retrain.failed", error=str(exc)[:500])
            return
    async with runtime.database.session() as session:
        await audit.record(
            session,
            audit.telegram_actor(update.effective_user.id),
            "retrain" if outcome.accepted else "retrain_refused",
            added=outcome.added,
            before=round(outcome.before.macro_f1 * 100, 1),
            after=round(outcome.after.macro_f1 * 100, 1),
            forced=outcome.forced,
        )
    lines = [
        t(
            chat.lang,
            "retrain.topic_line",
            topic=runtime.topic_name(topic, chat.lang),
            before=f"{before * 100:.1f}",
            after=f"{outcome.after.f1[topic] * 100:.1f}",
        )
        for topic, before in outcome.before.f1.items()
    ]
    key = "retrain.done" if outcome.accepted else "retrain.refused"
    await reply(
        update,
        chat.lang,
        key,
        added=outcome.added,
        examples_before=outcome.before.examples,
        examples_after=outcome.after.examples,
        topics=Safe("\n".join(lines)),
        before=f"{outcome.before.macro_f1 * 100:.1f}",
        after=f"{outcome.after.macro_f1 * 100:.1f}",
    )


def register(application: Application) -> None:
    application.add_handler(CommandHandler("retrain", retrain_command))
