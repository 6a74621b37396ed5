"""/settings: instant alerts or a daily digest, time zone, quiet hours, relevance, keywords, languages,
opt-ins. Buttons for the toggles, arguments for values: ``/settings digest 8``, ``/settings quiet 22 7``."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CommandHandler, ContextTypes

from handlers.buttons import button, button_handler
from handlers.callbacks import Decoded
from handlers.common import ArgumentError, ensure_chat, may_manage, reply_error, runtime_of
from handlers.permissions import Action
from model.chats import ChatSettings, valid_timezone
from presentation.i18n import LANGUAGES, t
from storage import chats as chat_store
from storage import outbox

ON = ("on", "yes", "1", "true", "вкл")
OFF = ("off", "no", "0", "false", "выкл", "none")


def _hour(word: str) -> int:
    value = word.split(":")[0]
    if not value.isdigit() or not 0 <= int(value) <= 23:
        raise ArgumentError("settings.bad_hour", given=word)
    return int(value)


def _switch(word: str | None, key: str) -> bool:
    if word is None or word.lower() not in ON + OFF:
        raise ArgumentError("settings.bad_switch", name=key)
    return word.lower() in ON


def _words(args: list[str]) -> tuple[str, ...]:
    text = " ".join(args)
    return tuple(dict.fromkeys(w.strip().casefold() for w in text.split(",") if w.strip()))[:20]


def parse_change(args: list[str]) -> dict[str, Any]:
    """The ChatSettings fields that ``/settings <args>`` changes; ArgumentError explains a bad one."""
    name, rest = args[0].lower(), args[1:]
    first = rest[0] if rest else None
    if name == "instant":
        return {"mode": "instant"}
    if name == "digest":
        return {"mode": "digest", **({"digest_hour": _hour(first)} if first else {})}
    if name in ("timezone", "tz"):
        if first is None or not valid_timezone(first):
            raise ArgumentError("settings.bad_timezone", given=first or "")
        return {"timezone": first}
    if name == "quiet":
        if first is not None and first.lower() in OFF:
            return {"quiet_start": None, "quiet_end": None}
        if len(rest) != 2:
            raise ArgumentError("settings.bad_quiet")
        return {"quiet_start": _hour(rest[0]), "quiet_end": _hour(rest[1])}
    if name == "relevance":
        try:
            value = float((first or "").rstrip("%").replace(",", "."))
        except ValueError:
            raise ArgumentError("settings.bad_relevance", given=first or "") from None
        value = value / 100 if value > 1 else value
        if not 0 <= value <= 1:
            raise ArgumentError("settings.bad_relevance", given=first or "")
        return {"min_relevance": round(value, 2)}
    if name in ("include", "exclude"):
        if not rest:
            raise ArgumentError("settings.bad_words", name=name)
        return {name: () if first and first.lower() in OFF and len(rest) == 1 else _words(rest)}
    if name in ("language", "lang"):
        if first in LANGUAGES:
            return {"alert_language": first}
        if first == "auto":
            return {"alert_language": None}
        raise ArgumentError("settings.bad_language", options=", ".join(LANGUAGES))
    if name in ("spikes", "weekly"):
        field = "spike_alerts" if name == "spikes" else "weekly_summary"
        return {field: _switch(first, name)}
    raise ArgumentError("settings.bad_name", given=args[0])


def summary(settings: ChatSettings, lang: str) -> str:
    yes, no = t(lang, "settings.on"), t(lang, "settings.off")
    quiet = (
        f"{settings.quiet_start:02d}:00–{settings.quiet_end:02d}:00"
        if settings.quiet_start is not None and settings.quiet_end is not None
        else no
    )
    mode = (
        t(lang, "settings.mode_digest", hour=f"{settings.digest_hour:02d}:00")
        if settings.mode == "digest"
        else t(lang, "settings.mode_instant")
    )
    return t(
        lang,
        "settings.summary",
        mode=mode,
        timezone=settings.timezone,
        quiet=quiet,
        relevance=f"{settings.min_relevance:.2f}",
        include=", ".join(settings.include) or "—",
        exclude=", ".join(settings.exclude) or "—",
        alert_language=settings.alert_language or t(lang, "settings.same_language"),
        spikes=yes if settings.spike_alerts else no,
        weekly=yes if settings.weekly_summary else no,
    )


def keyboard(settings: ChatSettings, lang: str) -> InlineKeyboardMarkup:
    def toggle(label_key: str, field: str, value: bool) -> InlineKeyboardButton:
        mark = "✅ " if value else "▫️ "
        return InlineKeyboardButton(mark + t(lang, label_key), callback_data=f"set:{field}:{'off' if value else 'on'}")

    digest = settings.mode == "digest"
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    ("🔘 " if not digest else "") + t(lang, "settings.button_instant"), callback_data="set:mode:instant"
                ),
                InlineKeyboardButton(
                    ("🔘 " if digest else "") + t(lang, "settings.button_digest"), callback_data="set:mode:digest"
                ),
            ],
            [
                toggle("settings.button_spikes", "spikes", settings.spike_alerts),
                toggle("settings.button_weekly", "weekly", settings.weekly_summary),
            ],
            [InlineKeyboardButton(t(code, "language.name"), callback_data=f"set:lang:{code}") for code in LANGUAGES],
        ]
    )


async def _apply(context: ContextTypes.DEFAULT_TYPE, chat_id: int, changes: dict[str, Any]) -> ChatSettings:
    async with runtime_of(context).database.session() as session:
        row = await chat_store.get_chat(session, chat_id)
        before = chat_store.chat_settings(row)
        after = replace(before, **changes)
        await chat_store.save_settings(session, chat_id, after)
        if before.mode == "digest" and after.mode == "instant":
            await outbox.drop_held(session, chat_id)
    return after


async def settings_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat = await ensure_chat(update, context)
    args = context.args or []
    async with runtime_of(context).database.read_session() as session:
        current = chat_store.chat_settings(await chat_store.get_chat(session, chat.chat_id))
    if not args:
        text = summary(current, chat.lang) + "\n\n" + t(chat.lang, "settings.usage")
        await update.effective_message.reply_text(text, reply_markup=keyboard(current, chat.lang), do_quote=False)
        return
    try:
        if not await may_manage(update, context):
            raise ArgumentError("error.not_admin")
        changes = parse_change(args)
    except ArgumentError as exc:
        await reply_error(update, chat.lang, exc)
        return
    new = await _apply(context, chat.chat_id, changes)
    await update.effective_message.reply_text(
        t(chat.lang, "settings.saved") + "\n\n" + summary(new, chat.lang), do_quote=False
    )


SET_SCHEMA = {
    "mode": (("instant", "digest"),),
    "spikes": (("on", "off"),),
    "weekly": (("on", "off"),),
    "lang": (LANGUAGES,),
}


@button("set", SET_SCHEMA, Action.MANAGE)
async def settings_button(update: Update, context: ContextTypes.DEFAULT_TYPE, decoded: Decoded) -> None:
    query = update.callback_query
    chat = await ensure_chat(update, context)
    try:
        name, value = decoded.variant, str(decoded.fields[0])
        args = {"mode": [value], "spikes": ["spikes", value], "weekly": ["weekly", value]}.get(
            name, ["language", value]
        )
        changes = parse_change(args)
    except ArgumentError:
        await query.answer(t(chat.lang, "error.expired_button"), show_alert=True)
        return
    new = await _apply(context, chat.chat_id, changes) if changes else None
    if new is not None:
        text = summary(new, chat.lang) + "\n\n" + t(chat.lang, "settings.usage")
        await query.edit_message_text(text, reply_markup=keyboard(new, chat.lang))
    await query.answer(t(chat.lang, "settings.saved") if changes else None)


def register(application: Application) -> None:
    application.add_handler(CommandHandler("settings", settings_command))
    application.add_handler(button_handler(settings_button))
