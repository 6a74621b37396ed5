"""Feeds as they are published (issue 16): back catalogues, missing and free-form dates, odd encodings,
mojibake, HTML feed titles, bad links, empty entries from two feeds, one story two papers of one feed carry.
Each feed is built like a real one found in the field, served over HTTP on 127.0.0.1 and taken through the
real parse and store path (and, for alerts, the Bot API emulator)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from analysis import Annotator
from bot.app import build_application, running
from bot.settings import load_settings
from emulator import Emulator, EmulatorConfig
from feeds.dates import free_form_date
from feeds.fetch import build_client
from feeds.normalise import repair_mojibake
from feeds.parse import parse_feed
from ingest.poller import Poller
from model.polls import PollResult
from model.settings import FeedSettings
from storage.db import Database
from storage.models import Feed, Item, ItemSource, OutboxMessage, utcnow
from tests.bot.conftest import ADMIN, Harness, make_settings, subscribers
from tests.ingest.conftest import add_feeds
from tests.ingest.test_cli import local_config, run_cli

EMPTY = (
    '<item><guid isPermaLink="false">{g}</guid></item>'
    '<item><guid isPermaLink="false">{g}-2</guid><title></title><description> </description></item>'
)


def rss(items: str) -> bytes:
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>F</title>{items}</channel></rss>'.encode()


async def test_empty_entries_from_two_feeds_are_not_stored_and_merge_nothing(database, poller, feed_server):
    story = "<item><guid>s-{n}</guid><link>https://paper{n}.example.org/s</link></item>"  # a link alone
    one = feed_server.set_feed(f"/empty-a-{id(database)}", rss(EMPTY.format(g="a") + story.format(n=1)))
    two = feed_server.set_feed(f"/empty-b-{id(database)}", rss(EMPTY.format(g="b") + story.format(n=2)))
    await add_feeds(database, one, two)
    await poller.poll_due()
    async with database.read_session() as session:
        urls = sorted(i.url for i in (await session.scalars(select(Item))).all())
    # two link-only stories, each its own: an empty text never matches another empty text
    assert urls == ["https://paper1.example.org/s", "https://paper2.example.org/s"]


async def test_two_guids_with_the_same_text_in_one_feed_are_one_story_with_both_urls(database, poller, feed_server):
    text = "<title>Mudflow closes the Bishkek–Osh road</title><description>Rescuers cleared two sections.</description>"
    items = "".join(
        f"<item><guid>p{n}</guid><link>https://paper{n}.example.kg/road</link>{text}</item>" for n in (1, 2)
    )
    url = feed_server.set_feed(f"/same-text-{id(database)}", rss(items))
    await add_feeds(database, url)
    await poller.poll_due()
    async with database.read_session() as session:
        [item] = (await session.scalars(select(Item))).all()
        sources = sorted(s.url or "" for s in (await session.scalars(select(ItemSource))).all())
    assert item.url == "https://paper1.example.kg/road"
    assert "https://paper2.example.kg/road" in sources


ROOT = Path(__file__).resolve().parents[2]
READER = 410001


@pytest.fixture(scope="module")
def annotator() -> Annotator:
    settings = load_settings(ROOT / "config.toml", {})
    return Annotator.load(settings.topics, settings.analysis)


@pytest.fixture
async def bot(sqlite_database: Database, annotator: Annotator) -> AsyncIterator[Harness]:
    """The real Application against the Bot API emulator; feeds are polled by the test, not on a timer."""
    emulator = Emulator(EmulatorConfig()).start()
    try:
        settings = make_settings(emulator, sqlite_database, feeds={"allow_private_addresses": True})
        app = build_application(settings, sqlite_database, annotator=annotator)
        async with running(app, poll_feeds=False):
            yield Harness(app, emulator, sqlite_database)
    finally:
        emulator.stop()


def rescue_item(n: int, when: datetime) -> str:
    return f"""<item><guid>https://emergency.example.kz/news/{n}</guid>
<link>https://emergency.example.kz/news/{n}</link>
<title>Rescuers of Kazakhstan and Kyrgyzstan evacuate villagers after mudflow No. {n}</title>
<description>Rescue teams of the two emergency ministries evacuated residents and delivered tents and water
to the affected families.</description><pubDate>{format_datetime(when)}</pubDate></item>"""


def year_archive(now: datetime) -> bytes:
    """A ministry's feed as found: a year of old stories (one a fortnight), then two of the last hours."""
    old = [now - timedelta(days=14 * k + 3) for k in range(1, 27)]
    new = [now - timedelta(hours=2), now - timedelta(hours=6)]
    items = "".join(rescue_item(n, when) for n, when in enumerate(new + old))
    return f"""<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>
<title>Emergency news</title><link>https://emergency.example.kz/</link><language>en</language>
{items}</channel></rss>""".encode()


async def _outbox_count(database: Database, *, status: str | None = None) -> int:
    async with database.read_session() as session:
        query = select(func.count()).select_from(OutboxMessage)
        if status is not None:
            query = query.where(OutboxMessage.status == status)
        return int(await session.scalar(query) or 0)


async def _outbox_drained(database: Database, timeout: float = 10) -> None:  # noqa: ASYNC109
    """Wait for a state, the outbox with nothing pending, so no third alert can still be on its way."""
    async with asyncio.timeout(timeout):
        while await _outbox_count(database, status="pending"):  # noqa: ASYNC110 (a database state, no event)
            await asyncio.sleep(0.05)


async def test_a_new_feed_with_a_year_of_old_items_sends_exactly_its_two_new_stories(bot: Harness, feed_server):
    h = bot
    h.emulator.add_user(ADMIN, "Admin")
    await subscribers(h.database, [READER])
    url = feed_server.set_feed(f"/real/year-archive-{id(h)}.xml", year_archive(utcnow()))

    [added] = await h.say(ADMIN, f"/addfeed {url}")
    assert "28 items now" in added.text
    assert "26 of them, older than 48 h or undated, are stored without alerts" in added.text

    runtime = h.runtime
    async with build_client(runtime.settings.feeds.limits, max_connections=2) as client:
        poller = Poller(h.database, client, runtime.settings.feeds, runtime.annotator, worker="test")
        [result] = await poller.poll_due()
    assert (result.new_items, result.alerts) == (28, 2)
    h.runtime.wake_sender()
    alerts = await h.emulator.wait_for_messages_async(READER, 2, timeout=20)
    await _outbox_drained(h.database)
    assert len(h.emulator.sent_messages(READER)) == 2
    assert sorted("No. 0" in m.text for m in alerts) == [False, True]
    assert all("No. 0" in m.text or "No. 1" in m.text for m in alerts)
    assert await _outbox_count(h.database) == 2


# --- Dates -------------------------------------------------------------------------------------------------


def channel_rss(items: str, *, channel: str = "", language: str = "en", title: str = "Emergency news") -> bytes:
    return f"""<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>
<title>{title}</title><link>https://emergency.example.kz/</link><language>{language}</language>{channel}
{items}</channel></rss>""".encode()


def undated_item(n: int) -> str:
    return f"""<item><guid>https://emergency.example.kz/news/{n}</guid><link>https://emergency.example.kz/news/{n}</link>
<title>Rescuers of Kazakhstan and Kyrgyzstan evacuate villagers after mudflow No. {n}</title>
<description>Rescue teams of the two emergency ministries evacuated residents and delivered tents.</description>
</item>"""


async def poll_once(database: Database, settings: FeedSettings, annotator: Annotator | None) -> PollResult:
    async with build_client(settings.limits, max_connections=2) as client:
        [result] = await Poller(database, client, settings, annotator, worker="test").poll_due()
    return result


async def stored_dates(database: Database) -> dict[str, tuple[datetime, str]]:
    async with database.read_session() as session:
        rows = (await session.execute(select(Item.guid, Item.published_at, Item.date_source))).all()
    return {guid.rsplit("/", 1)[-1]: (published, source) for guid, published, source in rows}


async def test_items_without_dates_take_the_old_channel_date_and_never_alert(
    sqlite_database, feed_settings, feed_server, annotator
):
    """A 2017 feed whose items carry no date: they are dated by the channel (and say so), and neither the
    first poll nor a later one alerts them as today's news."""
    db = sqlite_database
    await subscribers(db, [READER])
    channel = "<pubDate>Mon, 02 Jan 2017 10:00:00 GMT</pubDate>"
    path = f"/real/no-item-dates-{id(db)}.xml"
    url = feed_server.set_feed(path, channel_rss(undated_item(1) + undated_item(2), channel=channel))
    await add_feeds(db, url)
    first = await poll_once(db, feed_settings, annotator)
    assert (first.new_items, first.alerts) == (2, 0)
    dates = await stored_dates(db)
    assert dates["1"] == (datetime(2017, 1, 2, 10, tzinfo=UTC), "channel")

    feed_server.set_feed(path, channel_rss(undated_item(3) + undated_item(1) + undated_item(2), channel=channel))
    await _make_due(db)
    later = await poll_once(db, feed_settings, annotator)
    assert (later.new_items, later.alerts) == (1, 0)
    assert await _outbox_count(db) == 0


async def test_a_feed_with_no_dates_at_all_starts_quietly_then_alerts_new_entries(
    sqlite_database, feed_settings, feed_server, annotator
):
    db = sqlite_database
    await subscribers(db, [READER])
    path = f"/real/no-dates-{id(db)}.xml"
    url = feed_server.set_feed(path, channel_rss(undated_item(1) + undated_item(2)))
    await add_feeds(db, url)
    first = await poll_once(db, feed_settings, annotator)
    assert (first.new_items, first.alerts) == (2, 0)  # their age is unknown: the back catalogue stays quiet
    assert {source for _, source in (await stored_dates(db)).values()} == {"fetched"}

    feed_server.set_feed(path, channel_rss(undated_item(3) + undated_item(1) + undated_item(2)))
    await _make_due(db)
    later = await poll_once(db, feed_settings, annotator)
    assert (later.new_items, later.alerts) == (1, 1)  # a new entry appearing since the last poll is news


async def test_free_form_portuguese_and_english_dates_are_read_with_the_feed_language(
    sqlite_database, feed_settings, feed_server, annotator
):
    db = sqlite_database
    pt = """<item><guid>https://noticias.example.br/pt-1</guid><link>https://noticias.example.br/pt-1</link>
<title>Defesa Civil alerta para chuvas fortes</title><pubDate>Seg, 24 Set 2018</pubDate></item>"""
    en = """<item><guid>https://news.example.org/en-1</guid><link>https://news.example.org/en-1</link>
<title>Flood warning issued</title><pubDate>Friday, January 29, 2021 04:42 PM</pubDate></item>"""
    url_pt = feed_server.set_feed(f"/real/pt-{id(db)}.xml", channel_rss(pt, language="pt-BR", title="Notícias"))
    url_en = feed_server.set_feed(f"/real/en-{id(db)}.xml", channel_rss(en))
    await add_feeds(db, url_pt, url_en)
    async with build_client(feed_settings.limits, max_connections=2) as client:
        await Poller(db, client, feed_settings, annotator, worker="test").poll_due()
    dates = await stored_dates(db)
    assert dates["pt-1"] == (datetime(2018, 9, 24, tzinfo=UTC), "entry")
    assert dates["en-1"] == (datetime(2021, 1, 29, 16, 42, tzinfo=UTC), "entry")


def test_free_form_dates_use_the_language_hint_and_refuse_guesswork():
    assert free_form_date("Seg, 24 Set 2018", "pt-BR") == datetime(2018, 9, 24, tzinfo=UTC)
    assert free_form_date("24 сентября 2018 г. 10:15", "ru") == datetime(2018, 9, 24, 10, 15, tzinfo=UTC)
    assert free_form_date("Seg, 24 Set 2018", "en") == datetime(2018, 9, 24, tzinfo=UTC)  # a wrong hint
    assert free_form_date("yesterday", "en") is None
    assert free_form_date("September", "en") is None
    assert free_form_date("soon", "xx") is None


async def _make_due(database: Database) -> None:
    async with database.session() as session:
        await session.execute(update(Feed).values(next_poll_at=utcnow() - timedelta(seconds=1)))


# --- Encodings and mojibake --------------------------------------------------------------------------------


async def stored_titles(database: Database) -> dict[str, str]:
    async with database.read_session() as session:
        rows = (await session.execute(select(Item.guid, Item.title))).all()
    return {guid.rsplit("/", 1)[-1]: title for guid, title in rows}


def latin_feed() -> bytes:
    """A French and Portuguese agency feed in Latin-1, with neither an XML declaration nor a header charset."""
    return """<rss version="2.0"><channel><title>Agence de santé</title>
<item><guid>https://sante.example.fr/1</guid><link>https://sante.example.fr/1</link>
<title>Psychologue à domicile : la prévention des crises après les inondations</title>
<description>Les équipes médicales arrivées à Nîmes accompagnent les sinistrés.</description></item>
<item><guid>https://sante.example.fr/2</guid><link>https://sante.example.fr/2</link>
<title>Vacinação contra o sarampo: campeão de cobertura na região</title></item>
</channel></rss>""".encode("latin-1")


async def test_undeclared_latin_1_is_read_as_windows_1252(sqlite_database, feed_settings, feed_server):
    db = sqlite_database
    url = feed_server.set_feed(f"/real/latin1-{id(db)}.xml", latin_feed(), content_type="application/rss+xml")
    await add_feeds(db, url)
    await poll_once(db, feed_settings, None)
    titles = await stored_titles(db)
    assert titles["1"] == "Psychologue à domicile : la prévention des crises après les inondations"
    assert titles["2"] == "Vacinação contra o sarampo: campeão de cobertura na região"


def test_undeclared_single_byte_cyrillic_and_greek_still_go_to_detection():
    """The windows-1252 fallback takes Latin text only: whole words of accented letters are another script."""
    ru = "<rss><channel><title>Спасатели МЧС Казахстана</title><item><title>Пожар в гостинице в Алматы"
    ru += "</title><description>Сильные морозы ожидаются в Карагандинской области</description></item></channel></rss>"
    el = "<rss><channel><title>Σεισμός στην Κρήτη</title><item><title>Πυρκαγιά στην Αθήνα σήμερα</title></item>"
    el += "</channel></rss>"
    assert parse_feed(ru.encode("cp1251"), "https://x.example/ru").entries[0].title == "Пожар в гостинице в Алматы"
    assert parse_feed(el.encode("iso-8859-7"), "https://x.example/el").entries[0].title == "Πυρκαγιά στην Αθήνα σήμερα"


@pytest.mark.parametrize("codec", ["utf-32-le", "utf-32-be"])
async def test_utf_32_without_a_bom_is_a_feed(sqlite_database, feed_settings, feed_server, codec):
    db = sqlite_database
    body = channel_rss(rescue_item(1, utcnow() - timedelta(hours=1)), title="Службы спасения").decode()
    body = body.replace('encoding="utf-8"', f'encoding="{codec[:6]}"')
    url = feed_server.set_feed(f"/real/{codec}-{id(db)}.xml", body.encode(codec))
    await add_feeds(db, url)
    result = await poll_once(db, feed_settings, None)
    assert result.status == "new" and result.new_items == 1
    async with db.read_session() as session:
        assert await session.scalar(select(Feed.title)) == "Службы спасения"


# Real mojibake as sources publish it: UTF-8 text decoded once as windows-1252 (a Yandex regional feed), as
# Latin-1 (control characters kept), or as windows-1251 (a Russian CMS), then served as valid UTF-8.
MOJIBAKE = [
    "Заморозки до -15 градусов ожидаются в Карагандинской области",
    "Пожар в гостинице в центре Алматы: эвакуированы 40 человек",
    "Psychologue à domicile après les inondations",
    "Türkiye, İzmir'de deprem: AFAD ekipleri bölgede",
    "Ελληνικά νέα: σεισμός στην Κρήτη",
]


def _as_cp1252(text: str) -> str:
    # windows-1252 as browsers read it: the five undefined bytes pass through as C1 characters
    return "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in text.encode("utf-8"))


@pytest.mark.parametrize("text", MOJIBAKE)
@pytest.mark.parametrize("misread", [_as_cp1252, lambda t: t.encode().decode("latin-1")], ids=["cp1252", "latin1"])
def test_mojibake_read_as_a_western_charset_is_repaired(text, misread):
    assert repair_mojibake(misread(text)) == text


@pytest.mark.parametrize("text", MOJIBAKE[:2] + ["naïve café — “quoted” text"])
def test_mojibake_read_as_windows_1251_is_repaired(text):
    assert repair_mojibake(text.encode().decode("cp1251")) == text


@pytest.mark.parametrize(
    "text",
    [
        "Спасатели МЧС Казахстана и Кыргызстана провели совместные учения",
        "Қазақстан Төтенше жағдайлар министрлігі",  # Kazakh letters
        "北京市应急管理局发布暴雨预警",
        "日本の地震で被害が拡大",
        "카자흐스탄 비상사태부",
        "Ёлка, «кавычки» и — тире…",
        "À NOITE, EM SÃO JOSÉ: MÃE E FILHO RESGATADOS",  # capitals that look like mojibake leads
        "زلزله در تاجیکستان",
    ],
)
def test_correct_text_is_left_unchanged(text):
    assert repair_mojibake(text) == text


async def test_a_double_encoded_utf_8_feed_is_stored_readable(sqlite_database, feed_settings, feed_server):
    """A feed whose publisher stored UTF-8 read as windows-1252, then served it as (valid) UTF-8."""
    db = sqlite_database
    frost = "Заморозки до -15 градусов ожидаются в Карагандинской области"
    fire = "Пожар в гостинице в центре Алматы: эвакуированы 40 человек"
    items = "".join(
        f"""<item><guid>https://news.example.kz/{n}</guid><link>https://news.example.kz/{n}</link>
<title>{_as_cp1252(title)}</title><description>{_as_cp1252("Подробности: МЧС Казахстана")}</description></item>"""
        for n, title in ((1, frost), (2, fire))
    )
    url = feed_server.set_feed(f"/real/double-{id(db)}.xml", channel_rss(items, language="ru"))
    await add_feeds(db, url)
    await poll_once(db, feed_settings, None)
    assert await stored_titles(db) == {"1": frost, "2": fire}


def test_feeds_add_says_how_many_entries_are_stored_without_alerts(tmp_path, feed_server) -> None:
    url = feed_server.set_feed(f"/real/cli-archive-{tmp_path.name}.xml", year_archive(utcnow()))
    config = local_config(tmp_path, [])
    env = {"COOPWATCH_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"}
    added = run_cli("--config", str(config), "feeds", "add", url, cwd=tmp_path, env=env)
    assert added.returncode == 0, added.stderr
    assert "28 items now" in added.stdout
    assert "26 of them, older than 2 days or undated, are stored without alerts" in added.stdout
