"""Turning fetched feed bytes into text when the declared charset is wrong, missing or broken.

feedparser falls back to windows-1252 and yields mojibake for undeclared windows-1251 or for UTF-8
with a few bad bytes, so we decide the encoding first and hand feedparser clean UTF-8.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

import charset_normalizer

_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_XML_DECL = re.compile(r"^(\s*<\?xml[^>]*?encoding\s*=\s*)([\"'])[A-Za-z0-9._:-]+\2")
_CHARSET_PARAM = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", re.IGNORECASE)
_ASCII = bytes(range(128))
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Up to one bad byte in this many non-ASCII bytes still counts as damaged UTF-8, not another charset.
_DAMAGED_UTF8_RATIO = 50


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str
    problem: str | None  # why the declared charset was not used, when it was not


def http_charset(content_type: str | None) -> str | None:
    match = _CHARSET_PARAM.search(content_type or "")
    return match.group(1) if match else None


def decode_feed(body: bytes, content_type: str | None) -> Decoded:
    """Decode ``body`` by BOM, then UTF-8, then the declared charsets, then detection."""
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return Decoded(body.decode(encoding, errors="replace"), encoding, None)
    if body[:2] in (b"\x00<", b"<\x00"):  # UTF-16 without BOM
        encoding = "utf-16-be" if body[0] == 0 else "utf-16-le"
        return Decoded(body.decode(encoding, errors="replace"), encoding, None)
    declared = [name for name in (http_charset(content_type), _xml_charset(body)) if name]
    # Valid UTF-8 is a strong signal: other charsets almost never produce it by accident.
    try:
        return Decoded(body.decode("utf-8"), "utf-8", None)
    except UnicodeDecodeError:
        pass
    for name in declared:
        text = _strict(body, name)
        if text is not None:
            return Decoded(text, name, None)
    said = " and ".join(declared) or "nothing"
    lossy = body.decode("utf-8", errors="replace")
    bad = lossy.count("\ufffd")
    high = len(body.translate(None, _ASCII))
    if bad * _DAMAGED_UTF8_RATIO <= high:
        return Decoded(lossy, "utf-8", f"invalid UTF-8: {bad} bad byte sequence(s) replaced")
    guess = charset_normalizer.from_bytes(body).best()
    if guess is not None:
        return Decoded(str(guess), guess.encoding, f"declared {said}, detected {guess.encoding}")
    return Decoded(lossy, "utf-8", f"declared {said}, undecodable; {bad} byte sequence(s) replaced")


def as_utf8_document(text: str) -> bytes:
    """The text as UTF-8 bytes whose XML declaration (if any) says so."""
    return _XML_DECL.sub(r"\1\2utf-8\2", text, count=1).encode("utf-8")


def _xml_charset(body: bytes) -> str | None:
    match = _XML_ENCODING.match(body[:200])
    return match.group(1).decode("ascii") if match else None


def _strict(body: bytes, name: str) -> str | None:
    try:
        return body.decode(name)
    except (LookupError, UnicodeDecodeError):
        return None
