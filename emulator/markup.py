"""Telegram's HTML parse mode, modelled on tdlib's parser (the source of the Bot API's error texts).

Offsets of entities are in UTF-16 code units, error offsets in UTF-8 bytes, as Telegram reports them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ALLOWED_TAGS = frozenset(
    {
        "a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins",
        "tg-spoiler", "tg-emoji", "span", "pre", "code", "blockquote",
    }
)  # fmt: skip
_SIMPLE = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline", "ins": "underline",
    "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "tg-spoiler": "spoiler", "span": "spoiler",
}  # fmt: skip
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SPACES = frozenset(" \t\r\n\v\0")


class EntityParseError(ValueError):
    """Markup Telegram would refuse; str(err) is the text after "can't parse entities: "."""


@dataclass(frozen=True)
class ParsedText:
    text: str
    entities: tuple[dict, ...] = ()


def utf16_len(text: str) -> int:
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _is_space(ch: str) -> bool:
    return ch == "" or ch in _SPACES


def decode_entity(src: str, pos: int) -> tuple[str | None, int]:
    """Decode the character reference at src[pos] == "&"; (None, pos) when tdlib would not."""
    end = pos + 1
    if src[end : end + 1] == "#":
        end += 1
        hexa = src[end : end + 1] == "x"
        end += hexa
        digits = "0123456789abcdefABCDEF" if hexa else "0123456789"
        start = end
        while end < len(src) and src[end] in digits:
            end += 1
        if start == end:
            return None, pos
        code = int(src[start:end], 16 if hexa else 10)
        if code == 0 or code >= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            return None, pos
        char = chr(code)
    else:
        while end < len(src) and src[end].isascii() and src[end].isalpha():
            end += 1
        char = _NAMED.get(src[pos + 1 : end])
        if char is None:
            return None, pos
    return char, end + 1 if src[end : end + 1] == ";" else end


def _looks_like_reference(src: str, pos: int) -> bool:
    nxt = src[pos + 1 : pos + 2]
    return nxt == "#" or (nxt.isascii() and nxt.isalpha())


@dataclass
class _Open:
    tag: str
    arg: str
    u16: int
    chars: int


@dataclass
class _Parser:
    src: str
    strict_entities: bool
    out: list[str] = field(default_factory=list)
    u16: int = 0
    stack: list[_Open] = field(default_factory=list)
    entities: list[dict] = field(default_factory=list)

    def at(self, i: int) -> str:
        return self.src[i] if i < len(self.src) else ""

    def byte(self, i: int) -> int:
        return len(self.src[:i].encode("utf-8", "surrogatepass"))

    def emit(self, text: str) -> None:
        self.out.append(text)
        self.u16 += utf16_len(text)

    def run(self) -> ParsedText:
        i = 0
        while i < len(self.src):
            ch = self.src[i]
            if ch == "&":
                char, nxt = decode_entity(self.src, i)
                if char is not None:
                    self.emit(char)
                    i = nxt
                    continue
                if self.strict_entities and _looks_like_reference(self.src, i):
                    raise EntityParseError(f"Unsupported HTML entity at byte offset {self.byte(i)}")
            if ch != "<":
                self.emit(ch)
                i += 1
                continue
            i = self.close_tag(i) if self.at(i + 1) == "/" else self.open_tag(i)
        if self.stack:
            raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{self.stack[-1].tag}"')
        entities = sorted(self.entities, key=lambda e: (e["offset"], -e["length"]))
        for ent in entities:
            ent.pop("_language", None)
        return ParsedText("".join(self.out), tuple(entities))

    def skip_spaces(self, i: int) -> int:
        while self.at(i) != "" and _is_space(self.at(i)):
            i += 1
        return i

    def open_tag(self, begin: int) -> int:
        i = begin + 1
        while not _is_space(self.at(i)) and self.at(i) != ">":
            i += 1
        if self.at(i) == "":
            raise EntityParseError(f"Unclosed start tag at byte offset {self.byte(begin)}")
        tag = self.src[begin + 1 : i].lower()
        if tag not in ALLOWED_TAGS:
            raise EntityParseError(f'Unsupported start tag "{tag}" at byte offset {self.byte(begin)}')
        arg = ""
        while self.at(i) != ">":
            i = self.skip_spaces(i)
            if self.at(i) == ">":
                break
            name_begin = i
            while not _is_space(self.at(i)) and self.at(i) not in ("=", ">"):
                i += 1
            name = self.src[name_begin:i]
            if not name:
                raise EntityParseError(f'Empty attribute name in the tag "{tag}" at byte offset {self.byte(begin)}')
            i = self.skip_spaces(i)
            if self.at(i) != "=":
                if self.at(i) == "":
                    raise EntityParseError(f'Unclosed start tag "{tag}" at byte offset {self.byte(begin)}')
                if tag == "blockquote" and name == "expandable":
                    arg = "1"
                    continue
                raise EntityParseError(
                    f'Expected equal sign in declaration of an attribute of the tag "{tag}" '
                    f"at byte offset {self.byte(begin)}"
                )
            i, value = self.attribute_value(self.skip_spaces(i + 1), begin)
            arg = _apply_attribute(tag, name, value, arg)
        if tag == "span" and arg != "spoiler":
            raise EntityParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {self.byte(begin)}')
        self.stack.append(_Open(tag, arg, self.u16, sum(len(p) for p in self.out)))
        return i + 1

    def attribute_value(self, i: int, begin: int) -> tuple[int, str]:
        if self.at(i) == "":
            raise EntityParseError(f"Unclosed start tag at byte offset {self.byte(begin)}")
        quote = self.at(i)
        if quote not in ("'", '"'):
            start = i
            while self.at(i) != "" and self.at(i).isascii() and (self.at(i).isalnum() or self.at(i) in ".-"):
                i += 1
            if not _is_space(self.at(i)) and self.at(i) != ">":
                raise EntityParseError(f"Unexpected end of name token at byte offset {self.byte(start)}")
            value = self.src[start:i].lower()
        else:
            i += 1
            chars: list[str] = []
            while self.at(i) not in (quote, ""):
                if self.at(i) == "&":
                    char, nxt = decode_entity(self.src, i)
                    if char is not None:
                        chars.append(char)
                        i = nxt
                        continue
                chars.append(self.at(i))
                i += 1
            i += self.at(i) == quote
            value = "".join(chars)
        if self.at(i) == "":
            raise EntityParseError(f"Unclosed start tag at byte offset {self.byte(begin)}")
        return i, value

    def close_tag(self, begin: int) -> int:
        if not self.stack:
            raise EntityParseError(f"Unexpected end tag at byte offset {self.byte(begin)}")
        i = begin + 2
        while not _is_space(self.at(i)) and self.at(i) != ">":
            i += 1
        end_name = self.src[begin + 2 : i].lower()
        i = self.skip_spaces(i)
        if self.at(i) != ">":
            raise EntityParseError(f"Unclosed end tag at byte offset {self.byte(begin)}")
        opened = self.stack.pop()
        if end_name and end_name != opened.tag:
            raise EntityParseError(
                f'Unmatched end tag at byte offset {self.byte(begin)}, expected "</{opened.tag}>", '
                f'found "</{end_name}>"'
            )
        if self.u16 > opened.u16:
            self.add_entity(opened)
        return i + 1

    def add_entity(self, opened: _Open) -> None:
        offset, length = opened.u16, self.u16 - opened.u16
        base = {"offset": offset, "length": length}
        tag = opened.tag
        if tag in _SIMPLE:
            self.entities.append({"type": _SIMPLE[tag], **base})
        elif tag == "a":
            url = opened.arg or "".join(self.out)[opened.chars :]
            self.entities.append({"type": "text_link", **base, "url": url})
        elif tag == "tg-emoji":
            if not opened.arg.isdigit():
                raise EntityParseError("Invalid custom emoji identifier specified")
            self.entities.append({"type": "custom_emoji", **base, "custom_emoji_id": opened.arg})
        elif tag == "code":
            self.entities.append({"type": "code", **base, "_language": opened.arg})
        elif tag == "blockquote":
            kind = "expandable_blockquote" if opened.arg else "blockquote"
            self.entities.append({"type": kind, **base})
        else:  # pre, possibly wrapping <code class="language-x"> over the same range
            last = self.entities[-1] if self.entities else None
            entity = {"type": "pre", **base}
            if last and last["type"] == "code" and (last["offset"], last["length"]) == (offset, length):
                self.entities.pop()
                if last["_language"]:
                    entity["language"] = last["_language"]
            self.entities.append(entity)


def _apply_attribute(tag: str, name: str, value: str, current: str) -> str:
    if tag == "a" and name == "href":
        return value
    if tag == "code" and name == "class" and value.startswith("language-"):
        return value[len("language-") :]
    if tag == "span" and name == "class" and value.startswith("tg-"):
        return value[len("tg-") :]
    if tag == "tg-emoji" and name == "emoji-id":
        return value
    if tag == "blockquote" and name == "expandable":
        return "1"
    return current


def parse_html(source: str, *, strict_entities: bool = True) -> ParsedText:
    """Parse Telegram HTML into plain text and Bot API entity dicts, or raise EntityParseError.

    strict_entities also refuses references Telegram would leave as literal text (``&foo;``, ``&#0;``):
    in a bot they always mean a string that was not escaped.
    """
    return _Parser(source, strict_entities).run()
