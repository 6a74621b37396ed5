"""`python -m bot annotate` (JSON lines in, JSON lines out) and `python -m bot topics retrain`."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from analysis.annotator import Annotator
from analysis.classifier import ClassifierError, load_examples
from analysis.config import AnalysisSettings, Topic
from analysis.embedders import make_embedder
from analysis.retrain import check_topics, embed_examples, fit_model, save_model
from model.annotation import ItemText

MAX_LINE_BYTES = 8 * 1024 * 1024  # a longer line is refused, not buffered forever
_ID_IN_BROKEN = re.compile(r'"id"\s*:\s*("(?:[^"\\]|\\.)*"|-?\d+)')


class LineError(ValueError):
    """One input line cannot be annotated; the message says why."""


def _lines(stdin: TextIO) -> Iterator[tuple[int, str | None, str | None]]:
    """(line number, text, decode error) from the raw bytes when available, so bad UTF-8 is per line."""
    raw = getattr(stdin, "buffer", None)
    if raw is None:
        for no, line in enumerate(stdin, 1):
            yield no, line, None
        return
    for no, bline in enumerate(raw, 1):
        if len(bline) > MAX_LINE_BYTES:
            yield no, None, f"line is {len(bline)} bytes; the limit is {MAX_LINE_BYTES}"
            continue
        try:
            yield no, bline.decode("utf-8"), None
        except UnicodeDecodeError as exc:
            yield no, None, f"not valid UTF-8 ({exc.reason} at byte {exc.start})"


def _recover_id(text: str | None) -> str | int | None:
    if not text:
        return None
    m = _ID_IN_BROKEN.search(text[:10000])
    if not m:
        return None
    try:
        return json.loads(m.group(1))
    except json.JSONDecodeError:
        return None


def _parse_published(value: object) -> datetime | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise LineError(f"'published' must be an ISO 8601 string, got {type(value).__name__}")
    try:
        dt = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise LineError(f"'published' is not an ISO 8601 date: {value[:40]!r}") from exc
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def parse_line(text: str) -> tuple[str | int, ItemText]:
    """Validate one input line; LineError says what is wrong."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LineError(f"not valid JSON ({exc.msg} at column {exc.colno})") from exc
    if not isinstance(raw, dict):
        raise LineError(f"expected a JSON object, got {type(raw).__name__}")
    item_id = raw.get("id")
    if item_id is None or isinstance(item_id, bool) or not isinstance(item_id, str | int) or item_id == "":
        raise LineError("missing 'id' (a non-empty string or an integer)")
    missing = [k for k in ("title", "summary") if k not in raw]
    if missing:
        raise LineError(f"missing field(s): {', '.join(missing)}")
    for key in ("title", "summary"):
        if not isinstance(raw[key], str):
            raise LineError(f"'{key}' must be a string, got {type(raw[key]).__name__}")
    lang = raw.get("lang")
    if lang is not None and not isinstance(lang, str):
        raise LineError(f"'lang' must be a string, got {type(lang).__name__}")
    return item_id, ItemText(raw["title"], raw["summary"], lang or None, _parse_published(raw.get("published")))


def _output(item_id: str | int, ann) -> dict:
    data = ann.to_json()
    return {
        "id": item_id,
        "language": data["language"],
        "topics": data["topics"],
        "scores": data["scores"],
        "countries": data["countries"],
        "orgs": data["orgs"],
        "events": data["events"],
        "summary": data["summary"],
    }


def _write(stdout: TextIO, obj: dict) -> None:
    stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    stdout.flush()


def run_annotate(annotator: Annotator, stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int:
    """Stream: one JSON line out per item line in; bad lines get an error and processing goes on.

    Returns 0 when every non-blank line was annotated, 1 when some line was refused.
    """
    failed = 0
    for no, text, decode_error in _lines(stdin):
        if decode_error is None and text is not None and not text.strip():
            continue  # blank lines separate nothing and are skipped
        try:
            if decode_error is not None:
                raise LineError(decode_error)
            assert text is not None
            item_id, item = parse_line(text)
        except LineError as exc:
            failed += 1
            item_id = _recover_id(text)
            stderr.write(f"line {no}: {exc}\n")
            stderr.flush()
            if item_id is not None:
                _write(stdout, {"id": item_id, "error": str(exc)})
            continue
        try:
            ann = annotator.annotate(item)
        except Exception as exc:  # one pathological item must not stop the stream
            failed += 1
            stderr.write(f"line {no}: annotation failed: {type(exc).__name__}: {exc}\n")
            _write(stdout, {"id": item_id, "error": f"annotation failed: {type(exc).__name__}"})
            continue
        _write(stdout, _output(item_id, ann))
    return 1 if failed else 0


@dataclass(frozen=True)
class RetrainReport:
    out_path: Path
    examples: int
    per_topic: dict[str, int]  # positive examples per topic
    embedder: str


def run_retrain(
    topics: Sequence[Topic], settings: AnalysisSettings, examples_path: Path, out_path: Path
) -> RetrainReport:
    """Embed the labelled corpus, fit one classifier per topic and save the weights atomically."""
    examples = load_examples(Path(examples_path))
    ids = [t.id for t in topics]
    check_topics(topics, examples, str(examples_path))
    embedder = make_embedder(settings)
    if embedder is None:
        raise ClassifierError("retrain needs an embedder; analysis.embedder is 'none' (rules only)")
    vectors = embed_examples(embedder, examples, settings.embed_chars)
    out_path = Path(out_path)
    save_model(fit_model(topics, embedder.name, vectors, examples), out_path)
    per_topic = {t: sum(t in ex.topics for ex in examples) for t in ids}
    return RetrainReport(out_path, len(examples), per_topic, embedder.name)


def main(argv: Sequence[str] | None = None) -> int:
    """Stand-alone entry (`python -m analysis.cli annotate|retrain`) with the packaged topics and defaults;
    `python -m bot` wires the same functions to config.toml."""
    import argparse
    import sys

    from analysis.config import DEFAULT_EXAMPLES_PATH, load_topics_file

    ap = argparse.ArgumentParser(prog="python -m analysis.cli")
    ap.add_argument("command", choices=["annotate", "retrain"])
    ap.add_argument("--embedder", default=AnalysisSettings.embedder)
    ap.add_argument("--examples", type=Path, default=DEFAULT_EXAMPLES_PATH)
    # Retrained weights go beside the database (as `python -m bot topics retrain` writes them), not into the package.
    ap.add_argument("--out", type=Path, default=Path("data") / "classifier.npz")
    args = ap.parse_args(argv)
    topics = load_topics_file()
    settings = AnalysisSettings(embedder=args.embedder)
    if args.command == "retrain":
        report = run_retrain(topics, settings, args.examples, args.out)
        print(f"trained on {report.examples} examples with {report.embedder}: {report.per_topic} -> {report.out_path}")
        return 0
    return run_annotate(Annotator.load(topics, settings), sys.stdin, sys.stdout, sys.stderr)


if __name__ == "__main__":
    raise SystemExit(main())
