"""One codec for callback data: every button's data is ``kind[:variant]:field:field`` and every kind has a
schema. ``decode`` checks the whole string against it (topic ids, countries, numbers, choices) before any
handler reads a field, so forged or stale data is refused before anything is written."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from handlers.filters import is_country

MAX_DATA = 64  # Telegram's limit for callback_data, in bytes
MAX_INT_DIGITS = 12

# A field is one of: "int", "chat" (a signed chat id), "topic", "topic*" (or "*"), "topic#" (an index into the
# topics, or "-"), "country", "country*" (or "*"), "country-" (or "-"), or a tuple of the allowed words.
Field = str | tuple[str, ...]
Schema = Mapping[str, Sequence[Field]]  # variant ("" when the kind has none) -> fields


class ForgedCallback(ValueError):
    """Callback data that does not match its schema: forged, stale after an upgrade, or corrupted."""


@dataclass(frozen=True)
class Decoded:
    kind: str
    variant: str
    fields: tuple[str | int | None, ...]


def _field(value: str, field: Field, topics: Sequence[str]) -> str | int | None:
    if isinstance(field, tuple):
        if value in field:
            return value
    elif field == "int":
        if value.isdigit() and value.isascii() and len(value) <= MAX_INT_DIGITS:
            return int(value)
    elif field == "chat":  # a Telegram chat id: groups and channels are negative
        digits = value[1:] if value.startswith("-") else value
        if digits.isdigit() and digits.isascii() and len(digits) <= MAX_INT_DIGITS + 2:
            return int(value)
    elif field.startswith("topic"):
        if field == "topic*" and value == "*":
            return None
        if field == "topic#":
            if value == "-":
                return None
            if value.isdigit() and value.isascii() and int(value) < len(topics):
                return topics[int(value)]
        elif value in topics:
            return value
    elif field.startswith("country"):
        if (field == "country*" and value == "*") or (field == "country-" and value == "-"):
            return None
        if value.isupper() and is_country(value):
            return value
    raise ForgedCallback(f"{value!r} is not a {field}")


def decode(data: str | None, kind: str, schema: Schema, topics: Sequence[str] = ()) -> Decoded:
    """The fields of ``data`` for ``kind``; ForgedCallback when anything in it does not fit."""
    if not data or len(data.encode("utf-8")) > MAX_DATA:
        raise ForgedCallback("empty or too long")
    parts = data.split(":")
    if parts[0] != kind:
        raise ForgedCallback(f"not a {kind} button")
    rest = parts[1:]
    if "" in schema and (not rest or rest[0] not in schema):
        variant, fields = "", schema[""]
    elif rest and rest[0] in schema:
        variant, fields, rest = rest[0], schema[rest[0]], rest[1:]
    else:
        raise ForgedCallback("unknown variant")
    if len(rest) != len(fields):
        raise ForgedCallback("wrong number of fields")
    return Decoded(kind, variant, tuple(_field(v, f, topics) for v, f in zip(rest, fields, strict=True)))
