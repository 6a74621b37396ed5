"""Text side of search: tokens, stems and highlighted snippets. Pure functions, no SQL.

Both backends index the same stemmed text, so a word matches its inflected forms the same way on SQLite
(FTS5) and on PostgreSQL (tsvector with the 'simple' configuration, which does no stemming of its own).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import Stemmer

from storage.search_stopwords import is_stop_word

# Letters and digits only: the underscore and punctuation separate words, as in FTS5's unicode61.
_WORD = re.compile(r"[^\W_]+")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[a-z]")

_RUSSIAN = Stemmer.Stemmer("russian")
_ENGLISH = Stemmer.Stemmer("english")


def normalise(word: str) -> str:
    # Russian news spells ё as е about half the time; fold it so both spellings meet.
    return word.casefold().replace("ё", "е")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The stem of one normalised word; the script decides the language, so mixed text works."""
    if _CYRILLIC.search(word):
        return _RUSSIAN.stemWord(word)
    if _LATIN.search(word):
        return _ENGLISH.stemWord(word)
    return word


def words(text: str) -> list[str]:
    return [normalise(m.group()) for m in _WORD.finditer(text)]


def stems(text: str) -> list[str]:
    """The stems of the words of ``text`` that are not stop words, in order."""
    return [stem(w) for w in words(text) if not is_stop_word(w)]


def stemmed_text(text: str) -> str:
    """What goes into the index: the stems, space separated, in their original order (phrases work).

    Stop words are left out here and in queries alike, so "flood in Almaty" is the phrase "flood almaty"
    on both sides and a phrase never fails on a function word.
    """
    return " ".join(stems(text))


@dataclass(frozen=True)
class _Token:
    start: int
    end: int
    stem: str


def _tokens(text: str) -> list[_Token]:
    return [_Token(m.start(), m.end(), _stem_unless_stop(normalise(m.group()))) for m in _WORD.finditer(text)]


def _stem_unless_stop(word: str) -> str:
    return "" if is_stop_word(word) else stem(word)


def highlight(text: str, wanted: Iterable[str]) -> str:
    """``text`` escaped for Telegram HTML with every word whose stem is wanted wrapped in <b>."""
    return _render(text, _tokens(text), set(wanted), 0, len(text))


def snippet(text: str, wanted: Iterable[str], *, max_words: int = 30) -> str:
    """A window of about ``max_words`` words around the first match, escaped, matches in <b>.

    Built from the original text (the index holds stems only), so the user sees the words as written.
    """
    tokens = _tokens(text)
    wanted_set = set(wanted)
    if not tokens:
        return html.escape(text.strip())
    first = next((i for i, t in enumerate(tokens) if t.stem in wanted_set), 0)
    lo = max(0, first - max_words // 3)
    hi = min(len(tokens), lo + max_words)
    lo = max(0, hi - max_words)
    start = 0 if lo == 0 else tokens[lo].start
    end = len(text) if hi == len(tokens) else tokens[hi - 1].end
    body = _render(text, tokens[lo:hi], wanted_set, start, end).strip()
    prefix = "… " if lo > 0 else ""
    suffix = " …" if hi < len(tokens) else ""
    return f"{prefix}{body}{suffix}"


def _render(text: str, tokens: list[_Token], wanted: set[str], start: int, end: int) -> str:
    parts: list[str] = []
    pos = start
    for token in tokens:
        if token.stem not in wanted:
            continue
        parts.append(html.escape(text[pos : token.start]))
        parts.append(f"<b>{html.escape(text[token.start : token.end])}</b>")
        pos = token.end
    parts.append(html.escape(text[pos:end]))
    return "".join(parts)
