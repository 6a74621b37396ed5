"""Fixtures for the scale-out tests: a Bot API emulator process and the worker processes (testkit/workers.py)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from emulator import EmulatorClient
from testkit.workers import ROOT, TOKEN, Workers


@pytest.fixture
def emulator_process() -> Iterator[EmulatorClient]:
    """``python -m emulator`` in its own process, enforcing Telegram's default limits."""
    process = subprocess.Popen(
        [sys.executable, "-m", "emulator", "--port", "0", "--token", TOKEN],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        base_url = process.stdout.readline().strip()
        assert base_url.startswith("http://"), f"emulator did not start: {base_url!r}"
        with EmulatorClient(base_url) as client:
            yield client
    finally:
        process.terminate()
        process.wait(10)


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[list[Workers]]:
    """Collects the Workers of a test and stops every process at the end, pass or fail."""
    made: list[Workers] = []
    yield made
    for group in made:
        group.stop_all()
