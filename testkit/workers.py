"""Coopwatch worker processes (``python -m bot worker``) with their configuration and JSON logs, for the
scale-out tests and bench/scale.py."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from emulator import EmulatorClient

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "123456:TEST-scale-token"


def topics_toml() -> str:
    """The shipped [[topics]] (settings refuse a configuration without them)."""
    text = (ROOT / "config.toml").read_text(encoding="utf-8")
    return text[text.index("\n[[topics]]") :]


def write_config(path: Path, database_url: str, extra: str = "") -> Path:
    path.write_text(
        f'[database]\nurl = "{database_url}"\n[logging]\nformat = "json"\n[analysis]\nembedder = "none"\n'
        f"{extra}\n{topics_toml()}",
        encoding="utf-8",
    )
    return path


@dataclass
class WorkerProcess:
    name: str
    process: subprocess.Popen
    log_path: Path

    def log_records(self) -> list[dict]:
        """The worker's JSON log lines (every line must be JSON: the config asks for format = json)."""
        lines = self.log_path.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]


@dataclass
class Workers:
    tmp: Path
    config: Path
    env: dict[str, str]
    started: list[WorkerProcess] = field(default_factory=list)

    def start(self, role: str, name: str, *extra: str) -> WorkerProcess:
        log_path = self.tmp / f"{name}.log"
        command = [
            sys.executable,
            "-m",
            "bot",
            "--config",
            str(self.config),
            "worker",
            "--role",
            role,
            "--worker-id",
            name,
            *extra,
        ]
        with log_path.open("w") as log:  # run in tmp: a PostgreSQL worker's data folder (./data) is its own
            process = subprocess.Popen(command, cwd=self.tmp, env=self.env, stdout=log, stderr=log)
        worker = WorkerProcess(name, process, log_path)
        self.started.append(worker)
        return worker

    def stop_all(self, timeout: float = 20) -> None:
        for worker in self.started:
            if worker.process.poll() is None:
                worker.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for worker in self.started:
            try:
                worker.process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                worker.process.kill()
                worker.process.wait(5)


def worker_env(database_url: str, emulator: EmulatorClient | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "COOPWATCH_"))}
    env["COOPWATCH_DATABASE_URL"] = database_url
    env["PYTHONUNBUFFERED"] = "1"
    env["PYTHONPATH"] = str(ROOT)  # the checkout's modules, whatever the working directory
    if emulator is not None:
        env["TELEGRAM_BOT_TOKEN"] = TOKEN
        env["TELEGRAM_API_BASE_URL"] = emulator.base_url
    return env
