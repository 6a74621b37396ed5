"""Rendering limits and escaping, the catalogue's languages, and country names."""

from __future__ import annotations

from datetime import UTC, datetime

from emulator import parse_html
from presentation.i18n import LANGUAGES, Catalogue, load_language
from presentation.names import country_name
from presentation.pager import MARKUP_FACTOR
from presentation.render import (
    MAX_MESSAGE,
    AlertView,
    OtherSource,
    render_alert,
    render_digest,
    truncate_html,
    utf16_len,
)


def view(**kw) -> AlertView:
    base = dict(
        title="Title",
        url="https://example.org/x",
        source="Source",
        published=datetime(2025, 3, 1, tzinfo=UTC),
        summary="One. Two. Three.",
        topics=("public_health",),
        countries=("KZ", "UZ"),
        also=(OtherSource("Other", "https://other.example/y"),),
    )
    base.update(kw)
    return AlertView(**base)


def test_every_language_has_the_same_keys() -> None:
    keys = {lang: set(load_language(lang)) for lang in LANGUAGES}
    assert keys["en"] and keys["en"] == keys["ru"], keys["en"] ^ keys["ru"]


def test_catalogue_escapes_parameters() -> None:
    catalogue = Catalogue({"en": {"x": "<b>{name}</b>"}})
    assert catalogue.text("en", "x", name="<i>&") == "<b>&lt;i&gt;&amp;</b>"


def test_alert_has_every_part_and_parses_as_telegram_html() -> None:
    for lang in LANGUAGES:
        html = render_alert(view(), lang)
        parsed = parse_html(html)
        assert "#public_health" in parsed.text and "Title" in parsed.text and "2025-03-01" in parsed.text
        assert "One. Two." in parsed.text and "Three" not in parsed.text  # one or two sentences
        assert "Other" in parsed.text
    assert "Kazakhstan, Uzbekistan" in parse_html(render_alert(view(), "en")).text
    assert "Казахстан" in parse_html(render_alert(view(), "ru")).text


def test_huge_feed_strings_never_exceed_the_limit_and_stay_valid() -> None:
    huge = view(
        title="<&>" * 3000,
        summary="😀 & <x> " * 3000,
        also=tuple(OtherSource(f"S{i}&") for i in range(900)),
        url="https://example.org/" + "a" * 3000,
    )
    html = render_alert(huge, "en")
    assert utf16_len(html) <= MAX_MESSAGE
    parse_html(html)  # raises on broken tags or entities
    for part in render_digest([huge] * 30, "en"):
        assert len(parse_html(part).text.encode("utf-16-le")) // 2 <= MAX_MESSAGE  # as Telegram counts it
        assert utf16_len(part) <= MARKUP_FACTOR * MAX_MESSAGE


def test_truncate_html_closes_tags_and_keeps_entities_whole() -> None:
    markup = "<b>" + "word &amp; " * 50 + "</b><i>tail</i>"
    for limit in range(10, 120, 7):
        cut = truncate_html(markup, limit)
        assert utf16_len(cut) <= limit
        parse_html(cut)
        assert cut.count("<b>") == cut.count("</b>")


def test_alerts_and_charts_name_a_country_alike() -> None:
    alert_ru = parse_html(render_alert(view(countries=("KG", "US")), "ru")).text
    assert "Кыргызстан" in alert_ru and "Киргизия" not in alert_ru  # the catalogue's name, as in charts
    assert "Соединённые штаты" in alert_ru  # outside the catalogue: pycountry's translation, in charts too
    assert country_name("us", "ru") == "Соединённые штаты" and country_name("RU", "en") == "Russia"
    assert country_name("XX", "en") == "XX"


def test_a_text_parameter_may_be_named_like_the_lookup_arguments() -> None:
    from presentation.i18n import Catalogue

    catalogue = Catalogue({"en": {"line": "{lang} · {key}"}})
    assert catalogue.text("en", "line", lang="kk", key="<b>") == "kk · &lt;b&gt;"
