"""The Bot API emulator in a process of its own, for tests and benchmarks whose workers are processes too."""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Iterator

from emulator import EmulatorClient
from testkit.workers import ROOT, TOKEN


@contextlib.contextmanager
def emulator_process(*extra: str) -> Iterator[EmulatorClient]:
    """``python -m emulator`` on a free loopback port, enforcing Telegram's default limits."""
    process = subprocess.Popen(
        [sys.executable, "-m", "emulator", "--port", "0", "--token", TOKEN, *extra],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        base_url = process.stdout.readline().strip()
        if not base_url.startswith("http://"):
            raise RuntimeError(f"the emulator did not start: {base_url!r}")
        with EmulatorClient(base_url) as client:
            yield client
    finally:
        process.terminate()
        process.wait(10)
