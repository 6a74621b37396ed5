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
_WORD = re.compile(r"[^\W\d_]+")
_WHOLE_WORD = 3  # "à", "às", "Öl" are Latin words of non-ASCII letters alone; longer ones hardly ever
_LATIN_RATIO = 10  # at most one word in ten made of non-ASCII letters alone
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
    """Decode ``body`` by BOM (or UTF-32/16 without one), then UTF-8, then the declared charsets (HTTP header
    first, then the XML declaration), then damaged UTF-8, then windows-1252 for Latin text, then detection."""
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return Decoded(body.decode(encoding, errors="replace"), encoding, None)
    if body[:4] in (b"\x00\x00\x00<", b"<\x00\x00\x00"):  # UTF-32 without BOM (XML 1.0, appendix F)
        encoding = "utf-32-be" if body[0] == 0 else "utf-32-le"
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
    # No usable declaration: feedparser's windows-1252 fallback, when the text reads as a Latin script. The
    # detector confuses Latin-1 with cp1250/cp1257 ("campeć"); Cyrillic, Greek or CJK bytes fail the check.
    latin = _strict(body, "windows-1252")
    if latin is not None and _reads_as_latin(latin):
        return Decoded(latin, "windows-1252", f"declared {said}, read as windows-1252")
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


def _reads_as_latin(text: str) -> bool:
    """Do the non-ASCII letters sit inside Latin words ("campeão", "à domicile")? Another single-byte script
    read as windows-1252 makes whole words of them ("Ñïàñàòåëè" for "Спасатели")."""
    mixed = whole = 0
    for word in _WORD.findall(text):
        if word.isascii():
            continue
        if any(c.isascii() for c in word):
            mixed += 1
        elif len(word) >= _WHOLE_WORD:
            whole += 1
    return whole * _LATIN_RATIO <= mixed + whole


def _strict(body: bytes, name: str) -> str | None:
    try:
        return body.decode(name)
    except (LookupError, UnicodeDecodeError):
        return None
