"""Cutting text to a length at a word boundary, for labels and summaries."""

from __future__ import annotations

ELLIPSIS = "…"


def clip_at_word(text: str, limit: int) -> str:
    """The text if it fits, else cut at a space in its second half and ended with an ellipsis, within limit."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-–—") + ELLIPSIS
