"""Phrase matching over tokens, in English (stems) and Russian (generated word forms).

A pattern is written in dictionary form: "early warning", "чрезвычайная ситуация", "эпидеми*"
(prefix), "agreement ~ health" (both within a window, any order).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from analysis.text import Token, fold, ru_forms, stem_en, tokenize

PROXIMITY_WINDOW = 8
_HEAD = 3  # prefix patterns are indexed by their first letters, so a token checks only its own


@dataclass(frozen=True, slots=True)
class _Word:
    keys: frozenset[str]  # exact keys that match
    prefix: str | None  # or any key starting with this
    case: str  # "": any case; "initial": starts upper-case (names); "upper": all caps (acronyms)

    def ok(self, tok: Token) -> bool:
        if self.case == "initial" and not tok.is_upper_initial:
            return False
        if self.case == "upper" and not tok.text.isupper():
            return False
        if self.prefix is not None:
            return tok.low.startswith(self.prefix)
        return tok.key in self.keys


def _word(word: str, *, case: bool) -> _Word:
    bare = word.rstrip("*")
    mode = ""
    if case and bare.isupper() and len(bare) > 1:
        mode = "upper"
    elif case and bare[:1].isupper():
        mode = "initial"  # lower-case words inside a name ("of", "организации") match in any case
    is_cyr = any("а" <= ch <= "я" or ch == "ё" for ch in word.lower())
    if word.endswith("*"):
        return _Word(frozenset(), fold(word[:-1]), mode)
    if is_cyr:
        return _Word(ru_forms(word), None, mode)
    return _Word(frozenset({stem_en(word)}), None, mode)


def _phrase(text: str, *, case: bool) -> tuple[_Word, ...]:
    words = [t.text + ("*" if text[t.end : t.end + 1] == "*" else "") for t in tokenize(text)]
    return tuple(_word(w, case=case) for w in words)


@dataclass(frozen=True)
class Hit:
    pattern_id: int
    start: int  # token index
    end: int


class PhraseMatcher:
    """Finds every pattern in a token list; patterns are indexed by their first word's keys."""

    def __init__(self, patterns: Sequence[str], *, case_sensitive: Sequence[bool] | None = None) -> None:
        self.patterns = list(patterns)
        self._parts: list[list[tuple[_Word, ...]]] = []
        self._by_key: dict[str, list[tuple[int, int]]] = defaultdict(list)
        self._prefixed_by_head: dict[str, list[tuple[int, int]]] = defaultdict(list)
        self._prefixed_short: list[tuple[int, int]] = []
        for pid, text in enumerate(self.patterns):
            case = bool(case_sensitive[pid]) if case_sensitive else False
            parts = [_phrase(p.strip(), case=case) for p in text.split("~")]
            parts = [p for p in parts if p]
            self._parts.append(parts)
            for part_no, words in enumerate(parts):
                head = words[0]
                if head.prefix is not None and len(head.prefix) >= _HEAD:
                    self._prefixed_by_head[head.prefix[:_HEAD]].append((pid, part_no))
                elif head.prefix is not None:
                    self._prefixed_short.append((pid, part_no))
                for k in head.keys:
                    self._by_key[k].append((pid, part_no))

    def _part_hits(self, tokens: Sequence[Token]) -> dict[tuple[int, int], list[tuple[int, int]]]:
        found: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
        for i, tok in enumerate(tokens):
            cands = list(self._by_key.get(tok.key, ()))
            for c in (*self._prefixed_by_head.get(tok.low[:_HEAD], ()), *self._prefixed_short):
                if tok.low.startswith(self._parts[c[0]][c[1]][0].prefix or ""):
                    cands.append(c)
            for pid, part_no in cands:
                words = self._parts[pid][part_no]
                if i + len(words) > len(tokens):
                    continue
                if all(w.ok(tokens[i + j]) for j, w in enumerate(words)):
                    found[(pid, part_no)].append((i, i + len(words)))
        return found

    def find(self, tokens: Sequence[Token]) -> list[Hit]:
        parts_found = self._part_hits(tokens)
        hits: list[Hit] = []
        # only the patterns with a part found, in pattern order (a loop over every pattern cost more than the hits)
        for pid in sorted({pid for pid, _ in parts_found}):
            parts = self._parts[pid]
            if len(parts) == 1:
                hits.extend(Hit(pid, s, e) for s, e in parts_found[(pid, 0)])
                continue
            spans = [parts_found.get((pid, n), []) for n in range(len(parts))]
            if not all(spans):
                continue
            # proximity: every part within the window of some occurrence of the first part
            for s, e in spans[0]:
                if all(any(abs(s2 - s) <= PROXIMITY_WINDOW for s2, _ in other) for other in spans[1:]):
                    hits.append(Hit(pid, s, e))
                    break
        return hits
