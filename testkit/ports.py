"""Ports for servers a test starts itself, safe when tests run in parallel (pytest-xdist, other runs).

A port found with ``bind(("127.0.0.1", 0))`` and released is a race once several processes run tests: the
kernel hands the same ephemeral port to the next ``bind(0)`` or outgoing connection anywhere on the machine.

- ``free_port()``: for a server that binds the port itself a moment later (the webhook, a WebSub receiver),
  a free port below the kernel's ephemeral range (which ``bind(0)`` and outgoing connections never get), in a
  band of its own for each xdist worker, so two workers of one run never choose the same port.
- ``refused_port()``: a port that refuses connections for as long as the block lasts: bound and never
  listening, so nobody else can take it meanwhile.
"""

from __future__ import annotations

import os
import random
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOWEST = 10_000  # below: well-known and registered services
BAND = 1_000  # ports per xdist worker


def _ephemeral_low() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32_768  # Linux's default range starts here; elsewhere the band below is still a good guess


def _worker_index() -> int:
    """0 for ``gw0`` (or a run without xdist), 1 for ``gw1``, and so on."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    digits = worker.removeprefix("gw")
    return int(digits) if digits.isdigit() else 0


def _band() -> range:
    bands = max((_ephemeral_low() - LOWEST) // BAND, 1)
    start = LOWEST + (_worker_index() % bands) * BAND
    return range(start, start + BAND)


def _is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing uses now, outside the ephemeral range, in this worker's band."""
    band = _band()
    for port in random.sample(band, len(band)):
        if _is_free(host, port):
            return port
    raise RuntimeError(f"no free port in {band.start}..{band.stop - 1} on {host}")


@contextmanager
def refused_port(host: str = "127.0.0.1") -> Iterator[int]:
    """A port where connections are refused (bound, not listening) until the block ends."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        yield sock.getsockname()[1]
