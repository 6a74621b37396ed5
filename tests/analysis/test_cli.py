from __future__ import annotations

import io
import json
import random

from analysis.cli import run_annotate


class _Stdin(io.TextIOWrapper):
    """A text stdin over raw bytes, as sys.stdin is."""


def _stdin(data: bytes) -> io.TextIOWrapper:
    return io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")


def _run(annotator, data: bytes) -> tuple[int, list[dict], str]:
    out, err = io.StringIO(), io.StringIO()
    code = run_annotate(annotator, _stdin(data), out, err)
    return code, [json.loads(line) for line in out.getvalue().splitlines()], err.getvalue()


def _line(**kw) -> bytes:
    return (json.dumps(kw, ensure_ascii=False) + "\n").encode()


def test_good_lines_stream_one_output_each(annotator):
    data = _line(id=1, title="Rescuers help flood victims in Kazakhstan", summary="Teams arrived.") + _line(
        id="b",
        title="Вебинар ВОЗ по вакцинации",
        summary="Пройдет завтра.",
        lang="ru",
        published="2024-10-10T08:00:00Z",
    )
    code, out, err = _run(annotator, data)
    assert code == 0 and err == ""
    assert [o["id"] for o in out] == [1, "b"]
    assert set(out[0]) == {"id", "language", "topics", "scores", "countries", "orgs", "events", "summary"}
    assert out[1]["events"] == [{"kind": "training", "start": "2024-10-11", "end": "2024-10-11", "location": None}]
    assert out[1]["orgs"] == ["WHO"]


def test_bad_lines_get_errors_and_processing_goes_on(annotator):
    data = (
        b"this is not json\n"
        + b'{"id": "x1", "title": "broken\n'
        + _line(title="no id", summary="")
        + _line(id="x2", summary="no title")
        + b"[1, 2, 3]\n"
        + _line(id="x3", title=5, summary="")
        + _line(id="x4", title="Bad date", summary="", published="yesterday-ish")
        + b"\n   \n"
        + _line(id="ok", title="Earthquake hits Tajikistan", summary="")
    )
    code, out, err = _run(annotator, data)
    assert code == 1
    lines = err.splitlines()
    assert lines[0].startswith("line 1: not valid JSON")
    assert lines[1].startswith("line 2: not valid JSON")
    assert "line 3: missing 'id'" in err
    assert "line 4: missing field(s): title" in err
    assert "line 5: expected a JSON object, got list" in err
    assert "line 6: 'title' must be a string" in err
    assert "line 7: 'published' is not an ISO 8601 date" in err
    by_id = {o["id"]: o for o in out}
    assert "error" in by_id["x1"] and "error" in by_id["x2"] and "error" in by_id["x3"] and "error" in by_id["x4"]
    assert by_id["ok"]["countries"] == ["TJ"]
    assert list(by_id) == ["x1", "x2", "x3", "x4", "ok"]


def test_empty_input(annotator):
    assert _run(annotator, b"") == (0, [], "")


def test_binary_garbage_and_huge_and_mixed_input(annotator):
    rnd = random.Random(7)
    garbage = bytes(rnd.randrange(256) for _ in range(5000)).replace(b"\n", b"")
    huge = "Наводнение в Казахстане. Flood in Kazakhstan. " * 25000  # ~1.2 MB
    data = (
        garbage
        + b"\n"
        + _line(id="nul", title="a\u0000b\u200b", summary="\ufffd\ufffd")
        + _line(id="huge", title="Huge", summary=huge)
        + _line(id="mixed", title="SCO и WHO: joint вебинар по биобезопасности", summary="Experts из Китая и России.")
        + _line(id="ok", title="Fine", summary="")
    )
    code, out, err = _run(annotator, data)
    assert "line 1: not valid UTF-8" in err
    by_id = {o["id"]: o for o in out}
    assert list(by_id) == ["nul", "huge", "mixed", "ok"]
    assert len(by_id["huge"]["summary"]) <= 300
    assert by_id["huge"]["countries"] == ["KZ"]
    assert set(by_id["mixed"]["countries"]) == {"CN", "RU"}
    assert code == 1


def test_text_stdin_without_buffer(annotator):
    out, err = io.StringIO(), io.StringIO()
    code = run_annotate(annotator, io.StringIO('{"id": 1, "title": "Rescue", "summary": ""}\n'), out, err)
    assert code == 0 and json.loads(out.getvalue())["id"] == 1
