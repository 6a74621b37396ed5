"""Trend pictures as PNG bytes: matplotlib's Agg canvas, no pyplot (no global state, safe in threads).

Colours are the Okabe-Ito palette, readable with the common colour-vision deficiencies; each line also
gets its own marker and dash pattern, so the chart still reads in greyscale.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable, Mapping, Sequence
from datetime import date

import matplotlib
from sqlalchemy.ext.asyncio import AsyncSession

matplotlib.use("Agg")

from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from presentation.i18n import Safe, catalogue, t  # noqa: E402
from presentation.names import country_name  # noqa: E402
from storage.trends import TrendSeries, daily_counts  # noqa: E402

OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000", "#F0E442")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
DASHES = ("-", "--", "-.", ":")
_MONTHS = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "ru": ("янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя", "дек"),
}


def day_label(day: date, lang: str) -> str:
    """A short date in the chat's language, independent of the process locale."""
    months = _MONTHS.get(lang, _MONTHS["en"])
    return f"{day.day} {months[day.month - 1]}"


def render_lines_png(
    days: Sequence[date],
    series: Mapping[str, Sequence[int]],
    *,
    title: str,
    y_label: str,
    lang: str,
    label: Callable[[str], str] = str,
    highlight_last: bool = False,
) -> bytes:
    """One line per series over ``days``; returns PNG bytes. An empty mapping still draws the axes."""
    figure = Figure(figsize=(9, 4.8), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    x = list(range(len(days)))
    for i, (key, counts) in enumerate(series.items()):
        axes.plot(
            x,
            list(counts),
            color=OKABE_ITO[i % len(OKABE_ITO)],
            marker=MARKERS[i % len(MARKERS)],
            linestyle=DASHES[i % len(DASHES)],
            linewidth=2,
            markersize=4,
            label=label(key),
        )
    if highlight_last and x:
        axes.axvspan(x[-1] - 0.5, x[-1] + 0.5, color="#999999", alpha=0.2)
    step = max(1, len(days) // 8)
    axes.set_xticks(x[::step], [day_label(d, lang) for d in days[::step]])
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylim(bottom=0)
    axes.set_title(title, fontsize=14)
    axes.set_ylabel(y_label, fontsize=12)
    axes.tick_params(labelsize=10)
    axes.grid(True, alpha=0.3)
    if series:
        axes.legend(loc="upper left", fontsize=10, frameon=False)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


TopicNamer = Callable[[str, str], str]  # (topic id, language) -> display name


def topic_label(topic: str, lang: str, topic_name: TopicNamer | None = None) -> str:
    """The configured topic name when the caller has one (Runtime.topic_name), else the catalogue's."""
    if topic_name is not None:
        name = topic_name(topic, lang)
        if name and name != topic:
            return name
    key = f"trends.topic.{topic}"
    return catalogue().text(lang, key) if catalogue().has(lang, key) else topic.replace("_", " ")


async def build_trend_chart(
    session: AsyncSession,
    *,
    group_by: str,
    end: date,
    days: int = 30,
    topic: str | None = None,
    country: str | None = None,
    lang: str = "en",
    topic_name: TopicNamer | None = None,
) -> tuple[TrendSeries, bytes, str]:
    """(TrendSeries, PNG, plain title) for /trends and the CLI; the picture draws exactly that series."""
    series = await daily_counts(session, group_by=group_by, end=end, days=days, topic=topic, country=country)
    if topic:
        title = t(lang, "trends.title_in", what=Safe(topic_label(topic, lang, topic_name)), days=days)
    elif country:
        title = t(lang, "trends.title_in", what=Safe(country_name(country, lang)), days=days)
    else:
        title = t(lang, f"trends.title_{group_by}", days=days)

    def label(key: str) -> str:
        return topic_label(key, lang, topic_name) if series.group_by == "topic" else country_name(key, lang)

    # Drawing takes a few hundred ms of CPU: keep it off the event loop.
    png = await asyncio.to_thread(
        render_lines_png,
        series.days,
        series.series,
        title=title,
        y_label=t(lang, "trends.y_label"),
        lang=lang,
        label=label,
    )
    return series, png, title
