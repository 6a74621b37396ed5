"""A feed's display name: set in config or by /addfeed and feeds add, else the feed's title, else its host."""

from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

from model.clip import clip_at_word

MAX_NAME = 80  # characters; a name is a label in one alert line
TITLE_SHOWN = 60  # a feed's own title is cut to this many characters when it stands as the name


class FeedNameError(ValueError):
    """A display name that cannot be used; ``code`` is permanent (``empty``, ``too_long``, ``control``)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def check_feed_name(text: str) -> str:
    """The name with its spaces trimmed, or FeedNameError: empty, longer than MAX_NAME, or with a control or
    format character (newline, tab, NUL, bidi overrides)."""
    name = text.strip()
    if not name:
        raise FeedNameError("empty", "a feed name cannot be empty")
    if len(name) > MAX_NAME:
        raise FeedNameError("too_long", f"a feed name is at most {MAX_NAME} characters, got {len(name)}")
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in name):
        raise FeedNameError("control", "a feed name cannot contain control characters")
    return name


def display_name(name: str | None, title: str | None, url: str | None) -> str:
    """What every message calls a feed: its set name, else its own title (plain text), else its host."""
    if name:
        return name
    if title and title.strip():
        return clip_at_word(" ".join(title.split()), TITLE_SHOWN)
    host = urlsplit(url or "").hostname or "?"
    return host.removeprefix("www.")
