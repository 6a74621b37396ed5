"""Telegram's HTML parse mode: what it accepts, the entities it yields, and its error texts."""

from __future__ import annotations

import pytest

from emulator import EntityParseError, parse_html


def test_plain_text_and_bold_entity() -> None:
    parsed = parse_html("<b>Flood</b> in Almaty")
    assert parsed.text == "Flood in Almaty"
    assert parsed.entities == ({"type": "bold", "offset": 0, "length": 5},)


def test_escaped_markup_arrives_as_literal_text() -> None:
    parsed = parse_html("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot; &#39;y&#x27;")
    assert parsed.text == "<script>alert(1)</script> & \"x\" 'y'"
    assert parsed.entities == ()


def test_offsets_are_utf16_code_units() -> None:
    parsed = parse_html("😀 <i>Ташкент</i>")  # the emoji is two UTF-16 units
    assert parsed.entities == ({"type": "italic", "offset": 3, "length": 7},)


def test_link_code_pre_blockquote_spoiler_emoji() -> None:
    source = (
        '<a href="https://who.int/?a=1&amp;b=2">WHO</a> <code>x</code> '
        '<pre><code class="language-python">y</code></pre> <blockquote expandable>q</blockquote> '
        '<span class="tg-spoiler">s</span> <tg-spoiler>t</tg-spoiler> '
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji> <s>a</s><u>b</u><em>c</em><strong>d</strong>'
    )
    parsed = parse_html(source)
    kinds = [(e["type"], e.get("url") or e.get("language") or e.get("custom_emoji_id")) for e in parsed.entities]
    assert kinds == [
        ("text_link", "https://who.int/?a=1&b=2"),
        ("code", None),
        ("pre", "python"),
        ("expandable_blockquote", None),
        ("spoiler", None),
        ("spoiler", None),
        ("custom_emoji", "5368324170671202286"),
        ("strikethrough", None),
        ("underline", None),
        ("italic", None),
        ("bold", None),
    ]


def test_nested_entities_are_sorted_by_offset_then_longest_first() -> None:
    parsed = parse_html("<b>a <i>b</i></b>")
    assert [e["type"] for e in parsed.entities] == ["bold", "italic"]


def test_empty_tags_make_no_entity() -> None:
    assert parse_html("x<b></b>y").entities == ()


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("<script>x</script>", 'Unsupported start tag "script" at byte offset 0'),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("Алматы <br>", 'Unsupported start tag "br" at byte offset 13'),
        ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<b", "Unclosed start tag at byte offset 0"),
        ('<a href="x', "Unclosed start tag at byte offset 0"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("<a href>x</a>", 'Expected equal sign in declaration of an attribute of the tag "a" at byte offset 0'),
        ("R&D &foo; x", "Unsupported HTML entity at byte offset 1"),
        ("ok &foo; x", "Unsupported HTML entity at byte offset 3"),
        ("&#0;", "Unsupported HTML entity at byte offset 0"),
    ],
)
def test_invalid_markup_is_refused_with_telegrams_words(source: str, message: str) -> None:
    with pytest.raises(EntityParseError) as caught:
        parse_html(source)
    assert str(caught.value) == message


def test_unknown_entities_are_literal_when_not_strict() -> None:
    # What Telegram itself does; strict mode exists to catch unescaped strings in tests.
    assert parse_html("R&D &foo; x", strict_entities=False).text == "R&D &foo; x"


def test_bare_ampersand_is_accepted() -> None:
    assert parse_html("Search & rescue").text == "Search & rescue"
