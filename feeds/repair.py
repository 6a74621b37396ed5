"""Repairing mojibake that sources publish: UTF-8 text once read as windows-1252, Latin-1 or windows-1251 and
stored that way ("ÐŸÐ¾Ð¶Ð°Ñ€", "РџРѕР¶Р°СЂ" for "Пожар"). Decoding cannot undo it, since the bytes on the wire
are valid text; ftfy recognises the pattern and reverses it.

Conservative: only ftfy's encoding repair runs. Quotes, ligatures, widths, entities, line breaks and Unicode
normalisation are left as the source wrote them, and text ftfy does not see as mojibake comes back unchanged.
"""

from __future__ import annotations

import ftfy

__all__ = ["repair_mojibake"]

_CONFIG = ftfy.TextFixerConfig(
    unescape_html=False,  # html_to_text decodes entities, once
    remove_terminal_escapes=False,
    fix_encoding=True,
    restore_byte_a0=False,  # "Ã " stays: only mojibake whose bytes are all still there is repaired
    replace_lossy_sequences=False,  # would put U+FFFD where a guess is needed
    decode_inconsistent_utf8=True,
    fix_c1_controls=True,
    fix_latin_ligatures=False,
    fix_character_width=False,
    uncurl_quotes=False,
    fix_line_breaks=False,
    fix_surrogates=False,
    remove_control_chars=False,
    normalization=None,
    explain=False,
)


def repair_mojibake(text: str) -> str:
    """``text`` with UTF-8-read-as-a-single-byte-charset mojibake reversed; other text unchanged."""
    if text.isascii():  # mojibake needs non-ASCII characters; most titles in English skip ftfy altogether
        return text
    return ftfy.fix_text(text, _CONFIG)
