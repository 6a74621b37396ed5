"""Issue 14 finding 4: one link-safety rule (http and https only) for every link any text renders, applied by
the catalogue itself, so search, events, spikes and weekly summaries cannot send a javascript: link."""

from __future__ import annotations

import string

import pytest

from emulator.markup import parse_html
from presentation.i18n import LANGUAGES, catalogue, t
from presentation.links import is_safe_url, safe_url

HOSTILE = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html,<script>alert(1)</script>",
    "file:///etc/passwd",
    "tg://resolve?domain=x",
    "http://",
    "https:///path-only",
    "//example.org/no-scheme",
    "",
]


def _linking_keys(lang: str) -> list[str]:
    texts = catalogue().languages[lang]
    return sorted(key for key, text in texts.items() if 'href="{' in text)


def _params(lang: str, key: str, url: str) -> dict[str, str]:
    names = {name for _, name, _, _ in string.Formatter().parse(catalogue().languages[lang][key]) if name}
    return {name: "x" for name in names} | {"url": url}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_text_links_anything_but_http_or_https(lang: str) -> None:
    keys = _linking_keys(lang)
    assert len(keys) >= 5  # search, events, spike and weekly stories, weekly events
    for key in keys:
        for url in HOSTILE:
            out = t(lang, key, **_params(lang, key, url))
            parsed = parse_html(out)
            assert not [e for e in parsed.entities if e["type"] == "text_link"], (key, url, out)
            assert "href" not in out, (key, url)
        out = t(lang, key, **_params(lang, key, 'https://example.org/a?b=1&c="2"'))
        [link] = [e for e in parse_html(out).entities if e["type"] == "text_link"]
        assert link["url"] == 'https://example.org/a?b=1&c="2"'  # quoted in the attribute, not broken out of it


def test_the_rule() -> None:
    assert all(not is_safe_url(url) and safe_url(url) is None for url in HOSTILE)
    assert safe_url("HTTPS://Example.org/x?a=1&b=2") == "HTTPS://Example.org/x?a=1&amp;b=2"
    assert is_safe_url("http://例え.jp/путь")
