"""No silent skips: a skip without a reason fails the run, and under COOPWATCH_FAIL_ON_SKIP=1 so does any
skip whose reason CI did not list. A real pytest run in a subprocess with the plugin."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = """
import pytest

def test_runs():
    assert True

@pytest.mark.skip(reason="needs the Sentinel-2 archive")
def test_named():
    pass
"""


def run(tmp_path: Path, source: str, **environ: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_sample.py").write_text(source, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("COOPWATCH_")} | environ
    env["PYTHONPATH"] = str(ROOT)
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "-p",
        "testkit.skips",
        "--rootdir",
        str(tmp_path),
    ]
    return subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)


def test_a_skip_with_its_reason_passes_locally(tmp_path: Path) -> None:
    result = run(tmp_path, SAMPLE)
    assert result.returncode == 0, result.stdout


def test_ci_fails_on_a_skip_it_did_not_expect_and_names_it(tmp_path: Path) -> None:
    result = run(tmp_path, SAMPLE, COOPWATCH_FAIL_ON_SKIP="1")
    assert result.returncode == 1
    assert "test_sample.py::test_named: needs the Sentinel-2 archive" in result.stdout


def test_ci_accepts_a_listed_skip(tmp_path: Path) -> None:
    allowed = "systemd-analyze is not installed\nneeds the Sentinel-2 archive\n"
    result = run(tmp_path, SAMPLE, COOPWATCH_FAIL_ON_SKIP="1", COOPWATCH_ALLOWED_SKIPS=allowed)
    assert result.returncode == 0, result.stdout


def test_a_skip_without_a_reason_fails_even_locally(tmp_path: Path) -> None:
    result = run(tmp_path, SAMPLE.replace('(reason="needs the Sentinel-2 archive")', ""))
    assert result.returncode == 1
    assert "no reason given" in result.stdout or "unconditional skip" in result.stdout
