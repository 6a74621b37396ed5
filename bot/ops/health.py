"""The operations endpoint of one process: ``/metrics`` (Prometheus text format) and ``/healthz``.

It runs in a daemon thread (wsgiref), so a busy event loop never delays a scrape; the loop reports in
through ``Health`` (a heartbeat per loop and the last database check), which the thread only reads.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import make_wsgi_app

from bot.settings import MetricsSettings
from delivery import metrics
from storage import outbox
from storage.db import Database

log = logging.getLogger(__name__)

CHECK_INTERVAL = 10.0


@dataclass
class Health:
    """What /healthz reports: each named loop's last beat and the last database round trip."""

    role: str
    worker: str
    stale_after: float = 60.0
    clock: Callable[[], float] = time.monotonic
    _beats: dict[str, float] = field(default_factory=dict)
    _db_ok_at: float | None = None
    _db_error: str | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    telegram: Callable[[], dict[str, Any]] | None = None  # the bot's update loop (bot.update_loop.TelegramLink.report)

    def beat(self, loop: str) -> None:
        with self._lock:
            self._beats[loop] = self.clock()

    def database_checked(self, error: str | None) -> None:
        with self._lock:
            if error is None:
                self._db_ok_at = self.clock()
            self._db_error = error

    def report(self) -> tuple[bool, dict[str, Any]]:
        now = self.clock()
        with self._lock:
            beats = {name: round(now - at, 1) for name, at in self._beats.items()}
            db_age = None if self._db_ok_at is None else round(now - self._db_ok_at, 1)
            db_error = self._db_error
        stale = sorted(name for name, age in beats.items() if age > self.stale_after)
        db_ok = db_error is None and db_age is not None and db_age <= self.stale_after
        link = self.telegram() if self.telegram is not None else None
        healthy = db_ok and not stale and (link is None or bool(link.get("ok")))
        body = {
            "status": "ok" if healthy else "unhealthy",
            "role": self.role,
            "worker": self.worker,
            "database": {"ok": db_ok, "seconds_since_ok": db_age, "error": db_error},
            "loops": beats,
            "stale_loops": stale,
        }
        if link is not None:
            body["telegram"] = link
        return healthy, body


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
        return None


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


def operations_app(health: Health) -> Callable[..., Iterable[bytes]]:
    prometheus = make_wsgi_app()

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/metrics":
            return prometheus(environ, start_response)
        if path in ("/healthz", "/health"):
            healthy, body = health.report()
            status = "200 OK" if healthy else "503 Service Unavailable"
            start_response(status, [("Content-Type", "application/json")])
            return [json.dumps(body).encode()]
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"try /metrics or /healthz\n"]

    return app


@dataclass
class OperationsServer:
    server: WSGIServer
    thread: threading.Thread

    @property
    def port(self) -> int:
        return int(self.server.server_port)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


def serve_operations(health: Health, listen: str, port: int) -> OperationsServer:
    """Serve /metrics and /healthz on ``listen:port`` (0 picks a free port) in a daemon thread."""
    server = make_server(listen, port, operations_app(health), _ThreadingServer, handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="operations-http", daemon=True)
    thread.start()
    log.info("metrics at http://%s:%d/metrics, health at /healthz", listen, server.server_port)
    return OperationsServer(server, thread)


async def check_loop(database: Database, health: Health, *, interval: float = CHECK_INTERVAL) -> None:
    """Until cancelled: a database round trip (health) that also refreshes the outbox-depth gauge."""
    while True:
        try:
            async with database.read_session() as session:
                metrics.set_outbox_depth(await outbox.count_by_status(session))
            health.database_checked(None)
        except Exception as exc:  # noqa: BLE001 - reported on /healthz, retried next round
            health.database_checked(f"{type(exc).__name__}: {exc}"[:200])
            log.warning("database check failed: %s", exc)
        health.beat("checks")
        await asyncio.sleep(interval)


@asynccontextmanager
async def operations(
    settings: MetricsSettings, database: Database, *, role: str, worker: str, port: int | None = None
) -> AsyncIterator[Health]:
    """The database check loop, and the endpoint when [metrics] enables it (or ``port`` is given)."""
    health = Health(role, worker)
    server = None
    if settings.enabled or port is not None:
        server = serve_operations(health, settings.listen, settings.port if port is None else port)
    task = asyncio.create_task(check_loop(database, health), name="operations-checks")
    try:
        yield health
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        if server is not None:
            server.close()
