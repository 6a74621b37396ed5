"""Coopwatch admins' view of every chat: /chats pages with filters and search, one chat's card, and the
card's actions (add or remove a subscription, mode, pause, test alert, remove the chat). Only the admins in
config; a group's own administrators keep managing their group with /subscribe and /settings.

Callback data ``adm:<variant>:...`` (handlers.callbacks decodes it against ADM_SCHEMA before anything is
read); destructive actions go through a confirmation variant in capitals.
"""

from __future__ import annotations

from datetime import timedelta

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import Application, CommandHandler, ContextTypes

from handlers.buttons import button, button_handler
from handlers.callbacks import Decoded
from handlers.common import bot_admin, ensure_chat, reply, runtime_of
from handlers.filters import KEYBOARD_COUNTRIES, describe
from handlers.permissions import Action
from handlers.runtime import Runtime
from presentation.i18n import Safe, t
from presentation.names import country_name
from storage import audit, outbox
from storage import chat_admin as store
from storage import chats as chat_store
from storage.models import Chat, utcnow

PAGE_SIZE = 8
SEARCH_KEY = "chats_search"  # user_data: the admin's last /chats search words
FILTERS = store.CHAT_FILTERS
ADM_SCHEMA = {
    "l": ("int", FILTERS),  # list page under a filter
    "c": ("chat",),  # card
    "a": ("chat",),  # add a subscription: pick the topic
    "at": ("chat", "topic#"),  # ... then the country
    "ac": ("chat", "topic#", "country*"),  # ... add it
    "r": ("chat", "int"),  # remove a subscription: ask
    "R": ("chat", "int"),  # ... confirmed
    "m": ("chat",),  # switch instant/digest
    "p": ("chat",),  # pause or resume
    "t": ("chat",),  # send a test alert
    "x": ("chat",),  # remove the chat: ask
    "X": ("chat",),  # ... confirmed
}


async def _edit(query: CallbackQuery, text: str, reply_markup: InlineKeyboardMarkup | None = None) -> None:
    """Edit the pressed message; the same screen again (a second press) is no error."""
    try:
        await query.edit_message_text(text, reply_markup=reply_markup)
    except BadRequest as exc:
        if "not modified" not in exc.message.lower():
            raise


def _actor(update: Update) -> str:
    return audit.telegram_actor(update.effective_user.id)


def _chat_label(chat: Chat) -> str:
    return chat.title or (f"@{chat.username}" if chat.username else str(chat.id))


async def _list_view(runtime: Runtime, lang: str, page: int, kind: str, search: str | None):  # noqa: ANN202
    async with runtime.database.read_session() as session:
        found = await store.page_chats(session, kind=kind, search=search, offset=page * PAGE_SIZE, limit=PAGE_SIZE)
    pages = max(1, -(-found.total // PAGE_SIZE))
    lines = [
        t(
            lang,
            "chatadmin.line",
            id=c.id,
            type=c.type,
            title=_chat_label(c),
            language=c.language,
            state=t(lang, "admin.active" if c.active else "admin.inactive"),
        )
        for c in found.chats
    ]
    text = t(
        lang,
        "chatadmin.header",
        total=found.total,
        page=page + 1,
        pages=pages,
        filter=t(lang, f"chatadmin.filter_{kind}"),
        search=search or "—",
    )
    text += "\n" + ("\n".join(lines) if lines else t(lang, "chatadmin.empty"))
    rows = [[InlineKeyboardButton(_chat_label(c)[:40], callback_data=f"adm:c:{c.id}")] for c in found.chats]
    nav = []
    if page > 0:
        nav.append(InlineKeyboardButton("◀", callback_data=f"adm:l:{page - 1}:{kind}"))
    if page + 1 < pages:
        nav.append(InlineKeyboardButton("▶", callback_data=f"adm:l:{page + 1}:{kind}"))
    if nav:
        rows.append(nav)
    choices = [
        InlineKeyboardButton(
            ("• " if f == kind else "") + t(lang, f"chatadmin.filter_{f}"), callback_data=f"adm:l:0:{f}"
        )
        for f in FILTERS
    ]
    rows += [choices[i : i + 3] for i in range(0, len(choices), 3)]
    return text, InlineKeyboardMarkup(rows)


async def _card_view(runtime: Runtime, lang: str, chat_id: int):  # noqa: ANN202
    """The card's text and buttons, or None when the chat is gone."""
    async with runtime.database.read_session() as session:
        card = await store.get_card(session, chat_id, since=utcnow() - timedelta(days=7))
    if card is None:
        return None
    chat = card.chat
    settings = chat_store.chat_settings(chat)
    quiet = (
        f"{settings.quiet_start:02d}–{settings.quiet_end:02d} ({settings.timezone})"
        if settings.quiet_start is not None and settings.quiet_end is not None
        else t(lang, "chatadmin.no_quiet")
    )
    subs = [
        t(
            lang,
            "chatadmin.sub_line",
            filter=describe(u.subscription.topic, u.subscription.country, lang, runtime.topic_name),
            sent=u.sent_recently,
        )
        for u in card.subscriptions
    ]
    state = "chatadmin.paused" if settings.paused else ("admin.active" if chat.active else "admin.inactive")
    text = t(
        lang,
        "chatadmin.card",
        title=_chat_label(chat),
        id=chat.id,
        type=chat.type,
        language=chat.language,
        mode=t(lang, f"chatadmin.mode_{settings.mode}"),
        quiet=quiet,
        state=t(lang, state),
        last=card.last_delivery.strftime("%Y-%m-%d %H:%M") if card.last_delivery else t(lang, "admin.never"),
        error=card.last_error or "—",
        subs=Safe("\n".join(subs)) if subs else t(lang, "chatadmin.no_subs"),
    )
    rows = [
        [
            InlineKeyboardButton(
                "✖ " + describe(u.subscription.topic, u.subscription.country, lang, runtime.topic_name)[:40],
                callback_data=f"adm:r:{chat.id}:{u.subscription.id}",
            )
        ]
        for u in card.subscriptions
    ]
    other_mode = "digest" if settings.mode == "instant" else "instant"
    rows += [
        [
            InlineKeyboardButton(t(lang, "chatadmin.button_add"), callback_data=f"adm:a:{chat.id}"),
            InlineKeyboardButton(t(lang, f"chatadmin.button_mode_{other_mode}"), callback_data=f"adm:m:{chat.id}"),
        ],
        [
            InlineKeyboardButton(
                t(lang, "chatadmin.button_resume" if settings.paused else "chatadmin.button_pause"),
                callback_data=f"adm:p:{chat.id}",
            ),
            InlineKeyboardButton(t(lang, "chatadmin.button_test"), callback_data=f"adm:t:{chat.id}"),
        ],
        [
            InlineKeyboardButton(t(lang, "chatadmin.button_remove"), callback_data=f"adm:x:{chat.id}"),
            InlineKeyboardButton(t(lang, "chatadmin.button_back"), callback_data="adm:l:0:all"),
        ],
    ]
    return text, InlineKeyboardMarkup(rows)


async def chats_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/chats [words]: the first page of every chat, or of those whose title or @username has the words."""
    chat = await ensure_chat(update, context)
    if not bot_admin(update, context):
        await reply(update, chat.lang, "error.not_bot_admin")
        return
    search = " ".join(context.args or []).strip()[:64] or None
    context.user_data[SEARCH_KEY] = search
    text, keyboard = await _list_view(runtime_of(context), chat.lang, 0, "all", search)
    await update.effective_message.reply_text(text, reply_markup=keyboard, do_quote=False)


def _confirm(lang: str, key: str, yes: str, back: int, **params: object) -> tuple[str, InlineKeyboardMarkup]:
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(t(lang, "chatadmin.button_confirm"), callback_data=yes),
                InlineKeyboardButton(t(lang, "chatadmin.button_cancel"), callback_data=f"adm:c:{back}"),
            ]
        ]
    )
    return t(lang, key, **params), keyboard


def _topic_keyboard(runtime: Runtime, lang: str, chat_id: int) -> InlineKeyboardMarkup:
    rows = [
        [InlineKeyboardButton(runtime.topic_name(tp, lang), callback_data=f"adm:at:{chat_id}:{i}")]
        for i, tp in enumerate(runtime.topic_ids)
    ]
    rows.append([InlineKeyboardButton(t(lang, "subscribe.any_topic"), callback_data=f"adm:at:{chat_id}:-")])
    rows.append([InlineKeyboardButton(t(lang, "chatadmin.button_cancel"), callback_data=f"adm:c:{chat_id}")])
    return InlineKeyboardMarkup(rows)


def _country_keyboard(lang: str, chat_id: int, topic_ref: str) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(country_name(code, lang), callback_data=f"adm:ac:{chat_id}:{topic_ref}:{code}")
        for code in KEYBOARD_COUNTRIES
    ]
    rows = [buttons[i : i + 3] for i in range(0, len(buttons), 3)]
    rows.append(
        [InlineKeyboardButton(t(lang, "subscribe.any_country"), callback_data=f"adm:ac:{chat_id}:{topic_ref}:*")]
    )
    return InlineKeyboardMarkup(rows)


@button("adm", ADM_SCHEMA, Action.ADMIN)
async def admin_button(update: Update, context: ContextTypes.DEFAULT_TYPE, decoded: Decoded) -> None:
    """The chat card's presses, from a configured admin, with data the codec has checked."""
    query = update.callback_query
    chat = await ensure_chat(update, context)
    lang = chat.lang
    runtime = runtime_of(context)
    variant, fields = decoded.variant, decoded.fields
    if variant == "l":
        page, kind = fields
        text, keyboard = await _list_view(runtime, lang, int(page), str(kind), context.user_data.get(SEARCH_KEY))
        await _edit(query, text, reply_markup=keyboard)
        await query.answer()
        return
    chat_id = int(fields[0])
    async with runtime.database.read_session() as session:
        target = await chat_store.get_chat(session, chat_id)
    if target is None:
        await query.answer(t(lang, "chatadmin.unknown_chat"), show_alert=True)
        return
    notice = await _act(update, context, lang, variant, target, fields)
    runtime.wake_sender()  # a test alert was queued (committed by now)
    if notice is None:
        return  # the action showed its own screen
    view = await _card_view(runtime, lang, chat_id)
    if view is None:  # removed: back to the list
        view = await _list_view(runtime, lang, 0, "all", context.user_data.get(SEARCH_KEY))
    await _edit(query, view[0], reply_markup=view[1])
    await query.answer(notice)


async def _act(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    lang: str,
    variant: str,
    target: Chat,
    fields: tuple[str | int | None, ...],
) -> str | None:
    """Do one card action; the answer text when the card should be shown again, None when a screen was shown."""
    query = update.callback_query
    runtime = runtime_of(context)
    actor = _actor(update)
    label = _chat_label(target)
    if variant == "c":
        return ""
    if variant == "a":
        await _edit(
            query,
            t(lang, "chatadmin.choose_topic", title=label),
            reply_markup=_topic_keyboard(runtime, lang, target.id),
        )
        await query.answer()
        return None
    if variant == "at":
        topic = fields[1]
        ref = "-" if topic is None else str(runtime.topic_ids.index(str(topic)))
        name = runtime.topic_name(str(topic), lang) if topic else t(lang, "subscribe.any_topic")
        await _edit(
            query,
            t(lang, "chatadmin.choose_country", title=label, topic=name),
            reply_markup=_country_keyboard(lang, target.id, ref),
        )
        await query.answer()
        return None
    if variant in ("r", "x"):
        if variant == "r":
            sub_id = int(fields[1])
            text, keyboard = _confirm(
                lang, "chatadmin.confirm_sub", f"adm:R:{target.id}:{sub_id}", target.id, title=label
            )
        else:
            text, keyboard = _confirm(lang, "chatadmin.confirm_chat", f"adm:X:{target.id}", target.id, title=label)
        await _edit(query, text, reply_markup=keyboard)
        await query.answer()
        return None
    async with runtime.database.session() as session:
        if variant == "ac":
            topic, country = fields[1], fields[2]
            added = await store.add_subscriptions(session, actor, target.id, topic, [country])
            return t(lang, "chatadmin.added" if added else "chatadmin.already_there")
        if variant == "R":
            removed = await store.remove_subscription(session, actor, target.id, int(fields[1]))
            return t(lang, "subscribe.removed" if removed else "subscribe.already_removed")
        settings = chat_store.chat_settings(target)
        if variant == "m":
            mode = "digest" if settings.mode == "instant" else "instant"
            await store.set_mode(session, actor, target.id, mode)
            return t(lang, "chatadmin.mode_set", mode=t(lang, f"chatadmin.mode_{mode}"))
        if variant == "p":
            await store.set_paused(session, actor, target.id, not settings.paused)
            return t(lang, "chatadmin.resumed" if settings.paused else "chatadmin.paused_now")
        if variant == "t":
            texts = {code: t(code, "chatadmin.test_text") for code in ("en", "ru")}
            await outbox.enqueue_message(
                session,
                chat_id=target.id,
                kind="notice",
                dedupe_key=f"test:{utcnow().timestamp():.3f}",
                payload={"texts": texts},
                priority=outbox.PRIORITY_NOTICE,
            )
            await audit.record(session, actor, "chat_test", chat_id=target.id)
            return t(lang, "chatadmin.test_queued")
        # "X": confirmed removal
        removed = await store.remove_chat_audited(session, actor, target.id)
        return t(lang, "chatadmin.removed" if removed else "chatadmin.unknown_chat", title=label)


async def audit_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/audit [chat id]: the latest admin changes, newest first."""
    chat = await ensure_chat(update, context)
    if not bot_admin(update, context):
        await reply(update, chat.lang, "error.not_bot_admin")
        return
    args = context.args or []
    try:
        chat_id = int(args[0]) if args else None
    except ValueError:
        await reply(update, chat.lang, "chatadmin.audit_usage")
        return
    async with runtime_of(context).database.read_session() as session:
        entries = await audit.list_entries(session, limit=30, chat_id=chat_id)
    lines = [
        t(
            chat.lang,
            "chatadmin.audit_line",
            at=e.at.strftime("%Y-%m-%d %H:%M"),
            actor=e.actor,
            action=e.action,
            chat=e.chat_id if e.chat_id is not None else "—",
            detail=", ".join(f"{k}={v}" for k, v in sorted(e.detail.items()) if v not in (None, [], "")),
        )
        for e in entries
    ]
    body = "\n".join(lines) if lines else t(chat.lang, "chatadmin.audit_empty")
    await update.effective_message.reply_text(
        t(chat.lang, "chatadmin.audit_header", count=len(entries)) + "\n" + body, do_quote=False
    )


def register(application: Application) -> None:
    application.add_handler(CommandHandler("chats", chats_command))
    application.add_handler(CommandHandler("audit", audit_command))
    application.add_handler(button_handler(admin_button))
