"""/events [upcoming|past] [topic] [country] with paging buttons, and /events ics (an iCalendar file)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.ext import Application, CommandHandler, ContextTypes

from handlers.buttons import button, button_handler
from handlers.callbacks import Decoded
from handlers.common import ArgumentError, chat_language, ensure_chat, reply, reply_error, runtime_of
from handlers.permissions import Action
from presentation.calendar import build_ics
from presentation.charts import day_label
from presentation.i18n import Safe, catalogue, t
from presentation.names import country_name
from presentation.render import fit_entries, safe_url
from storage.events import Event, EventPage, list_events
from storage.search_query import SearchQueryError, country_code

PAGE_SIZE = 5
ICS_LIMIT = 500


@dataclass(frozen=True)
class EventsQuery:
    when: str = "upcoming"
    topic: str | None = None
    country: str | None = None


def parse_args(args: list[str], topic_ids: tuple[str, ...]) -> EventsQuery:
    when, topic, country = "upcoming", None, None
    for arg in args:
        word = arg.casefold()
        if word in ("upcoming", "past"):
            when = word
        elif word in topic_ids:
            topic = word
        else:
            try:
                country = country_code(arg)
            except SearchQueryError:
                raise ArgumentError("events.bad_args", arg=arg) from None
    return EventsQuery(when, topic, country)


def _kind(lang: str, kind: str) -> str:
    key = f"events.kind.{kind}"
    return catalogue().text(lang, key) if catalogue().has(lang, key) else kind.capitalize()


def render_event(lang: str, event: Event) -> str:
    dates = day_label(event.start, lang)
    if event.end != event.start:
        dates = f"{dates} – {day_label(event.end, lang)}"
    dates = f"{dates} {event.end.year}"
    place = t(lang, "events.place", place=event.location) if event.location else ""
    names = ", ".join(country_name(c, lang) for c in event.countries)
    countries = t(lang, "events.countries", countries=names) if names else ""
    more = t(lang, "events.more_sources", count=len(event.sources) - 1) if len(event.sources) > 1 else ""
    url = safe_url(event.url)  # http and https only
    return t(
        lang,
        "events.item" if url else "events.item_nolink",
        kind=_kind(lang, event.kind),
        dates=dates,
        place=_safe(place),
        countries=_safe(countries),
        url=Safe(url or ""),
        title=event.title,
        more=_safe(more),
    )


def _safe(text: str) -> Safe:
    return Safe(text)  # these parts come from the catalogue, already escaped


def render_page(lang: str, page: EventPage, when: str) -> tuple[str, int]:
    """The page as one message of whole events, and how many it shows."""
    if not page.events:
        return t(lang, f"events.empty_{when}"), 0
    entries = [render_event(lang, e) for e in page.events]
    for shown in range(len(entries), 0, -1):
        header = t(lang, f"events.header_{when}", first=page.offset + 1, last=page.offset + shown)
        text, fitted = fit_entries(header, entries[:shown])
        if fitted == shown:
            return text, shown
    return text, fitted


def _callback(query: EventsQuery, topic_ids: tuple[str, ...], offset: int) -> str:
    topic = str(topic_ids.index(query.topic)) if query.topic in topic_ids else "-"
    return f"e:{query.when[0]}:{topic}:{query.country or '-'}:{offset}"  # well under 64 bytes


def keyboard(
    lang: str, query: EventsQuery, topic_ids: tuple[str, ...], page: EventPage, shown: int | None = None
) -> InlineKeyboardMarkup | None:
    shown = len(page.events) if shown is None else shown
    buttons = []
    if page.offset > 0:
        data = _callback(query, topic_ids, max(0, page.offset - page.limit))
        buttons.append(InlineKeyboardButton(t(lang, "events.prev"), callback_data=data))
    if page.has_more or shown < len(page.events):
        data = _callback(query, topic_ids, page.offset + max(1, shown))
        buttons.append(InlineKeyboardButton(t(lang, "events.next"), callback_data=data))
    return InlineKeyboardMarkup([buttons]) if buttons else None


async def _page(context: ContextTypes.DEFAULT_TYPE, query: EventsQuery, offset: int, limit: int) -> EventPage:
    async with runtime_of(context).database.session() as session:
        return await list_events(
            session,
            today=datetime.now(UTC).date(),
            when="past" if query.when == "past" else "upcoming",
            topic=query.topic,
            country=query.country,
            limit=limit,
            offset=offset,
        )


async def events_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat = await ensure_chat(update, context)
    args = list(context.args or [])
    if args and args[0].casefold() == "ics":
        await send_ics(update, context, chat.lang)
        return
    topic_ids = runtime_of(context).topic_ids
    try:
        query = parse_args(args, topic_ids)
    except ArgumentError as error:
        await reply_error(update, chat.lang, error)
        return
    page = await _page(context, query, 0, PAGE_SIZE)
    text, shown = render_page(chat.lang, page, query.when)
    await update.effective_message.reply_text(
        text,
        reply_markup=keyboard(chat.lang, query, topic_ids, page, shown),
        do_quote=False,
    )


async def send_ics(update: Update, context: ContextTypes.DEFAULT_TYPE, lang: str) -> None:
    page = await _page(context, EventsQuery(), 0, ICS_LIMIT)
    if not page.events:
        await reply(update, lang, "events.ics_empty")
        return
    data = build_ics(page.events, now=datetime.now(UTC))
    await update.effective_message.reply_document(
        InputFile(data, filename="coopwatch-events.ics"),
        caption=t(lang, "events.ics_caption", count=len(page.events)),
        do_quote=False,
    )


EVENTS_SCHEMA = {"": (("u", "p"), "topic#", "country-", "int")}


@button("e", EVENTS_SCHEMA, Action.VIEW)
async def events_page(update: Update, context: ContextTypes.DEFAULT_TYPE, decoded: Decoded) -> None:
    callback = update.callback_query
    lang = await chat_language(context, update.effective_chat.id)
    topic_ids = runtime_of(context).topic_ids
    when, topic, country, offset = decoded.fields
    query = EventsQuery(when="past" if when == "p" else "upcoming", topic=topic, country=country)
    await callback.answer()
    page = await _page(context, query, offset, PAGE_SIZE)
    text, shown = render_page(lang, page, query.when)
    await callback.edit_message_text(text, reply_markup=keyboard(lang, query, topic_ids, page, shown))


def register(application: Application) -> None:
    application.add_handler(CommandHandler("events", events_command))
    application.add_handler(button_handler(events_page))
