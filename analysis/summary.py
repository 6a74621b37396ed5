"""Extractive summary (lead sentences, at most N characters) and YAKE keywords."""

from __future__ import annotations

from functools import lru_cache

import yake

from analysis.text import split_sentences
from model.clip import clip_at_word


def _norm(s: str) -> str:
    return "".join(ch for ch in s.lower() if ch.isalnum())


def summarize(title: str, body: str, limit: int) -> str:
    """Lead sentences of the body that fit the limit; the title when the body adds nothing."""
    sentences = [s for s in split_sentences(body) if len(_norm(s)) > 3]
    title_key = _norm(title)
    sentences = [s for s in sentences if _norm(s) != title_key]
    if not sentences:
        return clip_at_word(title, limit)
    out = ""
    for s in sentences:
        candidate = f"{out} {s}".strip()
        if len(candidate) > limit:
            break
        out = candidate
    return out or clip_at_word(sentences[0], limit)


_YAKE_LANG = {x: x for x in ("en", "ru", "uk", "zh", "tr", "fa", "ar", "hi", "de", "fr")}


@lru_cache(maxsize=16)
def _extractor(lang: str, top: int) -> yake.KeywordExtractor:
    # the item's own language where yake has a stop-word list for it; Cyrillic Central Asian languages share
    # most function words with none of them, so they get the language-neutral list
    return yake.KeywordExtractor(lan=_YAKE_LANG.get(lang, "noLang"), n=2, top=top, dedupLim=0.7)


def keywords(text: str, lang: str, top: int) -> list[str]:
    if top <= 0 or len(text.strip()) < 3:
        return []
    try:
        found = _extractor(lang, top).extract_keywords(text[:3000])
    except (ValueError, ZeroDivisionError, IndexError):  # yake trips on degenerate text (digits only)
        return []
    return [kw for kw, _ in found]
