"""The search query language, parsed into a small AST. Pure: no SQL here.

    flood OR mudflow kazakhstan "early warning" -football topic:disaster_risk country:KZ since:2025-01-01

Plain words are ANDed; OR joins the words either side of it (it binds tighter than the implicit AND);
-word or -"a phrase" excludes; filters are key:value. The AST is turned into an FTS5 MATCH string in which
every term is quoted, and that string only ever travels as a bound parameter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import pycountry

from storage.search_text import stems, words

MAX_QUERY_CHARS = 500
MAX_TERMS = 24
FILTER_KEYS = ("topic", "country", "org", "source", "lang", "since", "until")
# Characters FTS5 would read as syntax (prefix *, ^ anchors, grouping, column filters) outside quotes.
_SPECIAL = set("*^(){}[]+~\\<>=|&")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TOPIC = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_LANG = re.compile(r"^[a-z]{2}$")


class SearchQueryError(ValueError):
    """A query the user must fix; ``str()`` says what is wrong, ``code`` is stable for translation."""

    def __init__(self, code: str, message: str, *, detail: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class Term:
    text: str  # as the user typed it
    stems: tuple[str, ...]

    @property
    def fts(self) -> str:
        return '"' + " ".join(self.stems).replace('"', '""') + '"'


@dataclass(frozen=True)
class Filters:
    topics: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    orgs: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    langs: tuple[str, ...] = ()
    since: date | None = None
    until: date | None = None


@dataclass(frozen=True)
class SearchQuery:
    groups: tuple[tuple[Term, ...], ...] = ()  # AND of ORs
    excluded: tuple[Term, ...] = ()
    filters: Filters = field(default_factory=Filters)

    @property
    def has_text(self) -> bool:
        return bool(self.groups)

    @property
    def wanted_stems(self) -> frozenset[str]:
        return frozenset(s for group in self.groups for term in group for s in term.stems)

    def fts_match(self) -> str:
        """An FTS5 MATCH expression; every term a quoted string, so nothing the user typed is syntax."""
        parts = []
        for group in self.groups:
            inner = " OR ".join(term.fts for term in group)
            parts.append(f"({inner})" if len(group) > 1 else inner)
        expr = " AND ".join(parts)
        for term in self.excluded:
            expr = f"({expr}) NOT {term.fts}"
        return expr


@dataclass(frozen=True)
class _Token:
    kind: str  # word, phrase, or, and, not, filter
    text: str
    negated: bool = False
    key: str = ""


def _lex(query: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(query)
    while i < n:
        ch = query[i]
        if ch.isspace():
            i += 1
            continue
        negated = ch == "-" and i + 1 < n and not query[i + 1].isspace()
        start = i + 1 if negated else i
        if start < n and query[start] == '"':
            close = query.find('"', start + 1)
            if close < 0:
                raise SearchQueryError("unbalanced_quote", "a quote is opened but never closed")
            tokens.append(_Token("phrase", query[start + 1 : close], negated))
            i = close + 1
            continue
        end = start
        while end < n and not query[end].isspace():
            if query[end] == '"' and end > start and query[end - 1] == ":":  # key:"quoted value"
                close = query.find('"', end + 1)
                if close < 0:
                    raise SearchQueryError("unbalanced_quote", "a quote is opened but never closed")
                end = close
            end += 1
        i = end
        tokens.append(_word_token(query[start:end], negated))
    return tokens


def _word_token(raw: str, negated: bool) -> _Token:
    if raw == "-" and not negated:
        raise SearchQueryError("bare_operator", "a lone '-' excludes nothing: write -word")
    if raw in ("OR", "AND", "NOT") and not negated:
        return _Token(raw.lower(), raw)
    key, colon, value = raw.partition(":")
    if colon:
        if key.casefold() not in FILTER_KEYS:
            raise SearchQueryError("unknown_filter", f"unknown filter '{key}:'", detail=key)
        if negated:
            raise SearchQueryError("negated_filter", "a filter cannot be excluded with '-'", detail=key)
        if value.startswith('"'):
            if len(value) < 2 or not value.endswith('"'):
                raise SearchQueryError("unbalanced_quote", "a quote is opened but never closed")
            value = value[1:-1]
        return _Token("filter", value.strip(), key=key.casefold())
    bad = sorted(set(raw) & _SPECIAL)
    if bad:
        raise SearchQueryError("special_character", f"'{bad[0]}' is not allowed; put it inside quotes", detail=bad[0])
    if '"' in raw:
        raise SearchQueryError("unbalanced_quote", "a quote is opened but never closed")
    return _Token("word", raw, negated)


def parse_query(query: str) -> SearchQuery:
    """Parse a user's query; raises SearchQueryError with a plain message when it cannot be read."""
    if len(query) > MAX_QUERY_CHARS:
        raise SearchQueryError("too_long", f"the query is longer than {MAX_QUERY_CHARS} characters")
    groups: list[list[Term]] = []
    excluded: list[Term] = []
    filters: dict[str, list[str]] = {}
    pending_or = pending_and = False
    last_positive = False
    stop_words: list[str] = []  # words typed but too common to search for (never indexed)
    last_stop = False
    for token in _lex(query):
        if token.kind == "not":
            raise SearchQueryError("bare_operator", "NOT is not supported: write -word to exclude a word")
        if token.kind == "and":
            if pending_or or not last_positive:
                raise SearchQueryError("bare_operator", "AND needs a word on each side")
            last_positive = False
            pending_and = True
            continue
        if token.kind == "or":
            if last_stop and not pending_or:
                raise _stop_word_or(stop_words[-1])
            if pending_or or not last_positive or not groups:
                raise SearchQueryError("bare_operator", "OR needs a word on each side")
            pending_or = True
            continue
        if token.kind == "filter":
            if pending_or:
                raise SearchQueryError("bare_operator", "OR needs a word on each side")
            filters.setdefault(token.key, []).append(token.text)
            last_positive = False
            continue
        term = Term(token.text, tuple(stems(token.text)))
        pending_and = last_stop = False
        if not term.stems and words(token.text):
            # Only stop words: dropped, as they are from the index; alone or in an OR they cannot work.
            if pending_or:
                raise _stop_word_or(token.text)
            if not token.negated:
                stop_words.append(token.text)
                last_stop = True
            continue
        if not term.stems:
            if pending_or:
                raise SearchQueryError("bare_operator", f"'{token.text}' has no word in it")
            continue  # stray punctuation between words
        if token.negated:
            if pending_or:
                raise SearchQueryError("bare_operator", "OR cannot join an excluded word")
            excluded.append(term)
            last_positive = False
        elif pending_or:
            groups[-1].append(term)
            pending_or = False
            last_positive = True
        else:
            groups.append([term])
            last_positive = True
    if pending_or or pending_and:
        raise SearchQueryError("bare_operator", f"{'OR' if pending_or else 'AND'} needs a word on each side")
    if stop_words and not groups:
        raise SearchQueryError(
            "only_stop_words",
            f"'{' '.join(stop_words)}' is too common to search for: add a more specific word",
            detail=" ".join(stop_words),
        )
    if excluded and not groups:
        raise SearchQueryError("only_excluded", "give at least one word to look for, not only -excluded ones")
    if sum(len(g) for g in groups) + len(excluded) > MAX_TERMS:
        raise SearchQueryError("too_many_terms", f"use at most {MAX_TERMS} words")
    parsed_filters = _filters(filters)
    if not groups and parsed_filters == Filters():
        raise SearchQueryError("empty", "the query is empty")
    return SearchQuery(tuple(tuple(g) for g in groups), tuple(excluded), parsed_filters)


def _stop_word_or(text: str) -> SearchQueryError:
    return SearchQueryError(
        "stop_word_or", f"'{text}' is too common to search for, so OR cannot use it: write another word", detail=text
    )


def _filters(raw: dict[str, list[str]]) -> Filters:
    for key, values in raw.items():
        for value in values:
            if not value:
                raise SearchQueryError("empty_filter", f"'{key}:' needs a value", detail=key)
    since = _one_date(raw, "since")
    until = _one_date(raw, "until")
    if since and until and since > until:
        raise SearchQueryError("date_order", "since: is after until:")
    topics = tuple(v.casefold() for v in raw.get("topic", []))
    for topic in topics:
        if not _TOPIC.match(topic):
            raise SearchQueryError("bad_topic", f"'{topic}' is not a topic id", detail=topic)
    langs = tuple(v.casefold() for v in raw.get("lang", []))
    for lang in langs:
        if not _LANG.match(lang):
            raise SearchQueryError("bad_lang", f"'{lang}' is not a two-letter language code", detail=lang)
    return Filters(
        topics=topics,
        countries=tuple(country_code(v) for v in raw.get("country", [])),
        orgs=tuple(v.upper() for v in raw.get("org", [])),
        sources=tuple(v.casefold() for v in raw.get("source", [])),
        langs=langs,
        since=since,
        until=until,
    )


def _one_date(raw: dict[str, list[str]], key: str) -> date | None:
    values = raw.get(key, [])
    if len(values) > 1:
        raise SearchQueryError("repeated_filter", f"'{key}:' is given twice", detail=key)
    if not values:
        return None
    value = values[0]
    try:
        if not _DATE.match(value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise SearchQueryError("bad_date", f"'{key}:{value}' is not a date like 2025-03-31", detail=key) from None


def country_code(value: str) -> str:
    """ISO 3166-1 alpha-2 from a code or an English name; SearchQueryError when unknown."""
    if len(value) == 2 and value.isalpha() and value.isascii():
        return value.upper()
    try:
        return pycountry.countries.lookup(value).alpha_2
    except LookupError:
        raise SearchQueryError("bad_country", f"'{value}' is not a country", detail=value) from None
