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
_HIGH_RUN = re.compile(r"[^\x00-\x7f]+")
_LONG_RUN = 3  # three non-ASCII letters in a row are rare in Latin-script languages, the rule in Cyrillic
_LATIN_SHARE = 10  # at most one non-ASCII character in ten may sit in such a run


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
    if body[:4] in (b"\x00\x00\x00<", b"<\x00\x00\x00"):  # UTF-32 without BOM (XML spec, appendix F)
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
    if not declared and _reads_as_latin(body):
        # feedparser's fallback for undeclared single-byte text; detectors mistake Latin-1 for cp1250/cp1257.
        return Decoded(body.decode("windows-1252"), "windows-1252", None)
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


def _reads_as_latin(body: bytes) -> bool:
    """Decodes cleanly as windows-1252 into Latin text: accented letters mostly alone inside ASCII words
    ("café", "ação"). Cyrillic or Greek single-byte text is runs of high bytes, and is left to detection."""
    try:
        text = body.decode("windows-1252")
    except UnicodeDecodeError:
        return False
    high = [m.group() for m in _HIGH_RUN.finditer(text)]
    total = sum(len(run) for run in high)
    long_runs = sum(len(run) for run in high if len(run) >= _LONG_RUN)
    printable = all(c.isprintable() or c.isspace() for c in "".join(high))
    return total > 0 and long_runs * _LATIN_SHARE <= total and printable


def _xml_charset(body: bytes) -> str | None:
    match = _XML_ENCODING.match(body[:200])
    return match.group(1).decode("ascii") if match else None


def _strict(body: bytes, name: str) -> str | None:
    try:
        return body.decode(name)
    except (LookupError, UnicodeDecodeError):
        return None
