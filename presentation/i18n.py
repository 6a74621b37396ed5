"""The text catalogue: handlers/texts/<lang>/*.toml merged per language, looked up by dotted key.

Every parameter is HTML-escaped unless wrapped in ``Safe`` (already-built markup), so a feed title or a
user's input can never break a message's markup.
"""

from __future__ import annotations

import html
import tomllib
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

TEXTS_DIR = Path(__file__).with_name("texts")
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


class Catalogue:
    def __init__(self, languages: Mapping[str, Mapping[str, str]]) -> None:
        self.languages = {lang: dict(texts) for lang, texts in languages.items()}

    @classmethod
    def load(cls, root: Path = TEXTS_DIR) -> Catalogue:
        return cls({lang: load_language(lang, root) for lang in LANGUAGES})

    def has(self, lang: str, key: str) -> bool:
        return key in self.languages.get(normalise_language(lang), {})

    def text(self, lang: str, key: str, /, **params: Any) -> str:
        texts = self.languages.get(normalise_language(lang)) or self.languages[DEFAULT_LANGUAGE]
        try:
            template = texts[key]
        except KeyError:
            raise CatalogueError(f"no text {key!r} for language {lang!r}") from None
        safe = {k: v if isinstance(v, Safe) else html.escape(str(v), quote=False) for k, v in params.items()}
        try:
            return template.format_map(safe)
        except (KeyError, IndexError, ValueError) as exc:
            raise CatalogueError(f"text {key!r} ({lang}): bad or missing placeholder {exc}") from exc


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
