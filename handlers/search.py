"""/search with paging buttons. The query stays in chat_data under a short token: callback_data is small."""

from __future__ import annotations

import itertools

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CommandHandler, ContextTypes

from handlers.buttons import button, button_handler
from handlers.callbacks import Decoded
from handlers.common import chat_language, ensure_chat, reply, runtime_of
from handlers.permissions import Action
from presentation.i18n import Safe, t
from presentation.render import fit_entries, safe_url
from storage.search import SearchPage, SearchQueryError, search_items

PAGE_SIZE = 5
KEPT_QUERIES = 20
_tokens = itertools.count(1)


def command_text(update: Update) -> str:
    """The text after the command, quotes and spacing as typed (context.args would lose nothing but runs)."""
    message = update.effective_message
    text = (message.text or "") if message else ""
    return text.partition(" ")[2].strip() if text.startswith("/") else text.strip()


def bad_query_text(lang: str, error: SearchQueryError) -> str:
    reason = t(lang, f"search.reason.{error.code}", detail=error.detail)
    return t(lang, "search.bad_query", reason=Safe(reason))


def render_page(lang: str, page: SearchPage) -> tuple[str, int]:
    """The page as one message of whole results, and how many results it shows."""
    if not page.results:
        return t(lang, "search.empty", query=page.query), 0
    entries = []
    for n, result in enumerate(page.results, start=page.offset + 1):
        url = safe_url(result.url)  # http and https only, like alerts
        entries.append(
            t(
                lang,
                "search.item" if url else "search.item_nolink",
                n=n,
                url=Safe(url or ""),
                title=Safe(result.title_html),
                source=result.source,
                date=result.published.date().isoformat(),
                snippet=Safe(result.snippet_html),
            )
        )
    # The header's last number depends on how many fit; its length does not change by more than digits.
    for shown in range(len(entries), 0, -1):
        header = t(lang, "search.header", first=page.offset + 1, last=page.offset + shown, query=page.query)
        text, fitted = fit_entries(header, entries[:shown])
        if fitted == shown:
            return text, shown
    return text, fitted


def keyboard(lang: str, token: int, page: SearchPage, shown: int | None = None) -> InlineKeyboardMarkup | None:
    shown = len(page.results) if shown is None else shown
    buttons = []
    if page.offset > 0:
        prev_offset = max(0, page.offset - page.limit)
        buttons.append(InlineKeyboardButton(t(lang, "search.prev"), callback_data=f"s:{token}:{prev_offset}"))
    if page.has_more or shown < len(page.results):
        next_offset = page.offset + max(1, shown)
        buttons.append(InlineKeyboardButton(t(lang, "search.next"), callback_data=f"s:{token}:{next_offset}"))
    return InlineKeyboardMarkup([buttons]) if buttons else None


async def _page(context: ContextTypes.DEFAULT_TYPE, query: str, offset: int) -> SearchPage:
    async with runtime_of(context).database.session() as session:
        return await search_items(session, query, limit=PAGE_SIZE, offset=offset)


def _remember(context: ContextTypes.DEFAULT_TYPE, query: str) -> int:
    store: dict[int, str] = context.chat_data.setdefault("search_queries", {})
    token = next(_tokens)
    store[token] = query
    for old in sorted(store)[:-KEPT_QUERIES]:
        del store[old]
    return token


async def search_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat = await ensure_chat(update, context)
    query = command_text(update)
    if not query:
        await reply(update, chat.lang, "search.usage")
        return
    try:
        page = await _page(context, query, 0)
    except SearchQueryError as error:
        await update.effective_message.reply_text(bad_query_text(chat.lang, error), do_quote=False)
        return
    token = _remember(context, query)
    text, shown = render_page(chat.lang, page)
    await update.effective_message.reply_text(
        text, reply_markup=keyboard(chat.lang, token, page, shown), do_quote=False
    )


@button("s", {"": ("int", "int")}, Action.VIEW)
async def search_page(update: Update, context: ContextTypes.DEFAULT_TYPE, decoded: Decoded) -> None:
    callback = update.callback_query
    lang = await chat_language(context, update.effective_chat.id)
    token, offset = decoded.fields
    query = context.chat_data.get("search_queries", {}).get(token)
    if query is None:
        await callback.answer(t(lang, "search.expired"), show_alert=True)
        return
    await callback.answer()
    try:
        page = await _page(context, query, offset)
    except SearchQueryError as error:  # the query parsed before; only a change of rules could get here
        await callback.edit_message_text(bad_query_text(lang, error))
        return
    text, shown = render_page(lang, page)
    await callback.edit_message_text(text, reply_markup=keyboard(lang, token, page, shown))


def register(application: Application) -> None:
    application.add_handler(CommandHandler("search", search_command))
    application.add_handler(button_handler(search_page))
