"""The catalogues: every key in both languages with the same placeholders, and gettext plural forms."""

from __future__ import annotations

import string
from pathlib import Path

import pytest

from presentation.i18n import LANGUAGES, LOCALE_DIR, Catalogue, CatalogueError, catalogue, load_plurals, t


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_key_is_in_both_languages_with_the_same_placeholders() -> None:
    texts = catalogue()
    en, ru = texts.keys("en"), texts.keys("ru")
    assert en == ru, f"only in en: {sorted(en - ru)}; only in ru: {sorted(ru - en)}"
    assert len(texts.plurals["en"].texts) >= 10  # the counted texts are in the .po catalogues
    for key in sorted(en):
        if key in texts.plurals["en"].texts:
            forms = {lang: [texts.plurals[lang].template(key, n) for n in (1, 2, 5)] for lang in LANGUAGES}
        else:
            forms = {lang: [texts.languages[lang][key]] for lang in LANGUAGES}
        wanted = _placeholders(forms["en"][0])
        for lang, templates in forms.items():
            for template in templates:
                assert _placeholders(template) == wanted, (key, lang, template)


def test_the_russian_catalogue_has_three_plural_forms_for_every_counted_text() -> None:
    ru = load_plurals("ru")
    assert ru.translations.plural(1) == 0 and ru.translations.plural(3) == 1 and ru.translations.plural(7) == 2
    forms = {key: {ru.template(key, n) for n in (1, 2, 5)} for key in ru.texts}
    assert all(len(f) == 3 for f in forms.values()), {k: f for k, f in forms.items() if len(f) != 3}


@pytest.mark.parametrize(
    ("n", "en", "ru"),
    [
        (1, "1 new story", "1 новый материал"),
        (2, "2 new stories", "2 новых материала"),
        (5, "5 new stories", "5 новых материалов"),
        (21, "21 new stories", "21 новый материал"),
    ],
)
def test_counted_texts_take_the_plural_form_of_their_number(n: int, en: str, ru: str) -> None:
    assert t("en", "digest.header", count=n).endswith(en)
    assert t("ru", "digest.header", count=n).endswith(ru)


@pytest.mark.parametrize(
    ("n", "en", "ru"),
    [
        (1, "Imported 1 feed ", "Импортирована 1 лента "),
        (2, "Imported 2 feeds ", "Импортированы 2 ленты "),
        (5, "Imported 5 feeds ", "Импортировано 5 лент "),
        (21, "Imported 21 feeds ", "Импортирована 21 лента "),
    ],
)
def test_the_opml_import_counts_its_feeds(n: int, en: str, ru: str) -> None:
    assert t("en", "admin.opml_done", added=n, skipped=0, failed="").startswith(en)
    assert t("ru", "admin.opml_done", added=n, skipped=0, failed="").startswith(ru)


def test_days_in_titles_and_a_safe_counter() -> None:
    assert t("ru", "trends.title_topic", days=21).endswith("последний 21 день")
    assert t("ru", "trends.title_topic", days=22).endswith("последние 22 дня")
    assert t("ru", "trends.title_topic", days=30).endswith("последние 30 дней")
    assert t("en", "weekly.chart_title", days="1").endswith("last 1 day")
    with pytest.raises(CatalogueError, match="count="):
        t("en", "admin.exported")


def test_a_po_entry_without_its_counter_comment_is_refused(tmp_path: Path) -> None:
    po = (LOCALE_DIR / "en" / "LC_MESSAGES" / "coopwatch.po").read_text(encoding="utf-8")
    broken = tmp_path / "en" / "LC_MESSAGES" / "coopwatch.po"
    broken.parent.mkdir(parents=True)
    broken.write_text(po.replace("#. n: count\n", "", 1), encoding="utf-8")
    with pytest.raises(CatalogueError, match="n: NAME"):
        load_plurals("en", tmp_path)


def test_a_key_in_both_the_toml_and_the_po_catalogue_is_refused() -> None:
    plurals = {"en": load_plurals("en")}
    with pytest.raises(CatalogueError, match="digest.header"):
        Catalogue({"en": {"digest.header": "Digest: {count}"}}, plurals)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_help_lists_every_command_of_the_menus(lang: str) -> None:
    from bot.app import ADMIN_COMMANDS, USER_COMMANDS

    help_text = t(lang, "start.help") + t(lang, "start.help_admin")
    missing = [name for name in USER_COMMANDS + ADMIN_COMMANDS if name not in ("start", "help")]
    missing = [name for name in missing if f"/{name} " not in help_text and f"/{name}\n" not in help_text]
    assert not missing, f"/help ({lang}) does not list {missing}"
