"""/trends [topic|country|TOPIC_ID|COUNTRY] [days]: a PNG of daily story counts in the chat's language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from telegram import InputFile, Update
from telegram.ext import Application, CommandHandler, ContextTypes

from handlers.common import ArgumentError, ensure_chat, reply, reply_error, runtime_of
from presentation.charts import build_trend_chart
from presentation.i18n import t
from storage.search_query import SearchQueryError, country_code

DEFAULT_DAYS = 30
MIN_DAYS, MAX_DAYS = 2, 366


@dataclass(frozen=True)
class TrendsQuery:
    group_by: str = "topic"
    topic: str | None = None
    country: str | None = None
    days: int = DEFAULT_DAYS


def parse_args(args: list[str], topic_ids: tuple[str, ...]) -> TrendsQuery:
    """``topic``/``country`` choose the lines; a topic id draws its countries, a country its topics."""
    group_by, topic, country, days = "topic", None, None, DEFAULT_DAYS
    for arg in args:
        word = arg.casefold()
        if word.isdigit():
            days = int(word)
            if not MIN_DAYS <= days <= MAX_DAYS:
                raise ArgumentError("trends.bad_args", arg=arg)
        elif word in ("topic", "topics"):
            group_by = "topic"
        elif word in ("country", "countries"):
            group_by = "country"
        elif word in topic_ids:
            topic, group_by = word, "country"
        else:
            try:
                country, group_by = country_code(arg), "topic"
            except SearchQueryError:
                raise ArgumentError("trends.bad_args", arg=arg) from None
    return TrendsQuery(group_by, topic, country, days)


async def trends_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat = await ensure_chat(update, context)
    runtime = runtime_of(context)
    try:
        query = parse_args(list(context.args or []), runtime.topic_ids)
    except ArgumentError as error:
        await reply_error(update, chat.lang, error)
        return
    async with runtime.database.session() as session:
        series, png, title = await build_trend_chart(
            session,
            group_by=query.group_by,
            end=datetime.now(UTC).date(),
            days=query.days,
            topic=query.topic,
            country=query.country,
            lang=chat.lang,
            topic_name=runtime.topic_name,
        )
    total = sum(sum(counts) for counts in series.series.values())
    if not total:
        await reply(update, chat.lang, "trends.empty", days=query.days)
        return
    await update.effective_message.reply_photo(
        InputFile(png, filename="trends.png"),
        caption=t(chat.lang, "trends.caption", title=title, total=total),
        do_quote=False,
    )


def register(application: Application) -> None:
    application.add_handler(CommandHandler("trends", trends_command))
