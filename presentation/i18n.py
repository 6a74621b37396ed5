"""The text catalogue: presentation/texts/<lang>/*.toml merged per language, looked up by dotted key; texts
with a count come from gettext catalogues (presentation/locale/<lang>/LC_MESSAGES/coopwatch.po, read with
Babel at start), whose plural forms pick "1 story" or "5 stories", and Russian's three ("1 материал",
"2 материала", "5 материалов"). ``t()`` looks up both, so a caller never knows which one holds a key.

Every parameter is HTML-escaped unless wrapped in ``Safe`` (already-built markup), so a feed title or a
user's input can never break a message's markup.
"""

from __future__ import annotations

import gettext
import html
import io
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from presentation.links import is_safe_url

TEXTS_DIR = Path(__file__).with_name("texts")
LOCALE_DIR = Path(__file__).with_name("locale")
DOMAIN = "coopwatch"
LANGUAGES = ("en", "ru")
DEFAULT_LANGUAGE = "en"


class CatalogueError(KeyError):
    """A missing key, a duplicate key across files, or a bad placeholder."""


class Safe(str):
    """Markup the caller built and escaped itself; inserted as is."""

    __slots__ = ()


def _flatten(table: Mapping[str, Any], prefix: str, out: dict[str, str], source: Path) -> None:
    for key, value in table.items():
        dotted = f"{prefix}.{key}" if prefix else key
        if isinstance(value, Mapping):
            _flatten(value, dotted, out, source)
        elif isinstance(value, str):
            if dotted in out:
                raise CatalogueError(f"{source}: key {dotted!r} is defined twice")
            out[dotted] = value
        else:
            raise CatalogueError(f"{source}: key {dotted!r} must be a string")


def load_language(lang: str, root: Path = TEXTS_DIR) -> dict[str, str]:
    texts: dict[str, str] = {}
    for path in sorted((root / lang).glob("*.toml")):
        _flatten(tomllib.loads(path.read_text(encoding="utf-8")), "", texts, path)
    return texts


@dataclass(frozen=True)
class Counted:
    """One counted text: its English forms (the gettext msgid pair) and the parameter that picks the form."""

    singular: str
    plural: str
    counter: str


@dataclass(frozen=True)
class Plurals:
    """A language's counted texts by key (the gettext msgctxt), with the compiled catalogue that holds them."""

    texts: Mapping[str, Counted]
    translations: gettext.NullTranslations

    def template(self, key: str, n: int) -> str:
        counted = self.texts[key]
        return self.translations.npgettext(key, counted.singular, counted.plural, n)


def load_plurals(lang: str, root: Path = LOCALE_DIR) -> Plurals:
    """The .po catalogue of ``lang``, compiled in memory: no build step, so a checkout or an editable install
    runs as is. Each entry needs a ``#. n: NAME`` comment naming its counting parameter."""
    path = root / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as fp:
        catalog = read_po(fp, locale=lang, domain=DOMAIN)
    texts: dict[str, Counted] = {}
    for message in catalog:
        if not message.id:
            continue  # the header
        if not message.context or not isinstance(message.id, tuple):
            raise CatalogueError(f"{path}: {message.id!r} needs a msgctxt key and a msgid_plural")
        counters = [c.removeprefix("n:").strip() for c in message.auto_comments if c.startswith("n:")]
        if len(counters) != 1:
            raise CatalogueError(f"{path}: {message.context!r} needs one '#. n: NAME' comment")
        if not all(message.string):
            raise CatalogueError(f"{path}: {message.context!r} has an empty plural form")
        texts[message.context] = Counted(message.id[0], message.id[1], counters[0])
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Plurals(texts, gettext.GNUTranslations(buffer))


class Catalogue:
    def __init__(
        self, languages: Mapping[str, Mapping[str, str]], plurals: Mapping[str, Plurals] | None = None
    ) -> None:
        self.languages = {lang: dict(texts) for lang, texts in languages.items()}
        self.plurals = dict(plurals or {})
        for lang, counted in self.plurals.items():
            both = set(counted.texts) & set(self.languages.get(lang, {}))
            if both:
                raise CatalogueError(f"{lang}: {sorted(both)[0]!r} is both a TOML text and a counted .po text")

    @classmethod
    def load(cls, root: Path = TEXTS_DIR, locale_root: Path = LOCALE_DIR) -> Catalogue:
        return cls(
            {lang: load_language(lang, root) for lang in LANGUAGES},
            {lang: load_plurals(lang, locale_root) for lang in LANGUAGES},
        )

    def keys(self, lang: str) -> set[str]:
        """Every key of ``lang``, plain and counted."""
        plurals = self.plurals.get(lang)
        return set(self.languages.get(lang, {})) | (set(plurals.texts) if plurals else set())

    def has(self, lang: str, key: str) -> bool:
        return key in self.keys(normalise_language(lang))

    def text(self, lang: str, key: str, /, **params: Any) -> str:
        lang = normalise_language(lang) if normalise_language(lang) in self.languages else DEFAULT_LANGUAGE
        plurals = self.plurals.get(lang)
        if plurals is not None and key in plurals.texts:
            counter = plurals.texts[key].counter
            try:
                n = int(str(params[counter]))  # a Safe("7") counts as 7
            except (KeyError, ValueError):
                raise CatalogueError(f"text {key!r} ({lang}): needs a whole number {counter}=") from None
            template = plurals.template(key, n)
        else:
            try:
                template = self.languages[lang][key]
            except KeyError:
                raise CatalogueError(f"no text {key!r} for language {lang!r}") from None
        template, links = self._links(lang, key, template, params)
        safe = {k: v if isinstance(v, Safe) else html.escape(str(v), quote=k in links) for k, v in params.items()}
        try:
            return template.format_map(safe)
        except (KeyError, IndexError, ValueError) as exc:
            raise CatalogueError(f"text {key!r} ({lang}): bad or missing placeholder {exc}") from exc

    def _links(self, lang: str, key: str, template: str, params: Mapping[str, Any]) -> tuple[str, set[str]]:
        """The one link rule (presentation.links) for every href a text fills: an unsafe or missing URL picks the
        text's ``<key>_nolink`` form, so no caller can render a javascript: link by forgetting to check."""
        names = set(_HREF.findall(template))
        for name in names:
            value = params.get(name)
            url = html.unescape(value) if isinstance(value, Safe) else (str(value) if value is not None else None)
            if is_safe_url(url):
                continue
            nolink = f"{key}_nolink"
            if nolink not in self.languages.get(lang, {}):
                raise CatalogueError(f"text {key!r} ({lang}) links {name}= but has no {nolink!r} form")
            return self.languages[lang][nolink], set()
        return template, names


_HREF = re.compile(r'href="\{(\w+)\}"')


@lru_cache(maxsize=1)
def catalogue() -> Catalogue:
    return Catalogue.load()


def t(lang: str, key: str, /, **params: Any) -> str:
    """The text ``key`` in ``lang`` with escaped parameters."""
    return catalogue().text(lang, key, **params)


def normalise_language(code: str | None, default: str = DEFAULT_LANGUAGE) -> str:
    """Telegram's language_code (``ru``, ``ru-RU``, ``kk``...) to a catalogue language."""
    if not code:
        return default
    base = code.split("-")[0].split("_")[0].lower()
    if base in LANGUAGES:
        return base
    # Speakers of the region's other languages more often read Russian than English.
    return "ru" if base in {"kk", "ky", "uz", "tg", "tk", "be", "uk"} else default
