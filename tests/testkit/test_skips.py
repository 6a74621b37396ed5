"""No silent skips: a skip without a reason fails the run, and under COOPWATCH_FAIL_ON_SKIP=1 so does any
skip whose reason CI did not list. A real pytest run in a subprocess with the plugin."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = """
import pytest

def test_runs():
    assert True

@pytest.mark.skip(reason="needs the Sentinel-2 archive")
def test_named():
    pass
"""


# The check holds in a plain run and under pytest-xdist (as the README's test command runs it), where the
# controller sees the workers' reports.
PARALLEL = pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["serial", "xdist"])


def run(tmp_path: Path, source: str, workers: list[str], **environ: str) -> subprocess.CompletedProcess[str]:
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
        *workers,
    ]
    return subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)


@PARALLEL
def test_a_skip_with_its_reason_passes_locally(tmp_path: Path, workers: list[str]) -> None:
    result = run(tmp_path, SAMPLE, workers)
    assert result.returncode == 0, result.stdout


@PARALLEL
def test_ci_fails_on_a_skip_it_did_not_expect_and_names_it(tmp_path: Path, workers: list[str]) -> None:
    result = run(tmp_path, SAMPLE, workers, COOPWATCH_FAIL_ON_SKIP="1")
    assert result.returncode == 1
    assert "test_sample.py::test_named: needs the Sentinel-2 archive" in result.stdout


@PARALLEL
def test_ci_accepts_a_listed_skip(tmp_path: Path, workers: list[str]) -> None:
    allowed = "systemd-analyze is not installed\nneeds the Sentinel-2 archive\n"
    result = run(tmp_path, SAMPLE, workers, COOPWATCH_FAIL_ON_SKIP="1", COOPWATCH_ALLOWED_SKIPS=allowed)
    assert result.returncode == 0, result.stdout


@PARALLEL
def test_a_skip_without_a_reason_fails_even_locally(tmp_path: Path, workers: list[str]) -> None:
    result = run(tmp_path, SAMPLE.replace('(reason="needs the Sentinel-2 archive")', ""), workers)
    assert result.returncode == 1
    assert "no reason given" in result.stdout or "unconditional skip" in result.stdout
