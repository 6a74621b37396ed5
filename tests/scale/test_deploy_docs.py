"""The deployment examples in docs/deploy/ are checked against the real CLI, settings and systemd."""

from __future__ import annotations

import configparser
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot import settings as settings_module
from bot.cli import build_parser

DEPLOY = Path(__file__).resolve().parents[2] / "docs" / "deploy"
UNITS = sorted(DEPLOY.glob("*.service"))
INSTALLED_PYTHON = "/opt/coopwatch/.venv/bin/python"
EXPECTED = {
    "coopwatch-bot.service": ("run", None),
    "coopwatch-poll@.service": ("worker", "poll"),
    "coopwatch-deliver@.service": ("worker", "deliver"),
}


def unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read_string(path.read_text(encoding="utf-8"))
    return parser


def exec_start(path: Path, instance: str = "01") -> list[str]:
    line = unit(path)["Service"]["ExecStart"].replace("%i", instance).replace("%H", "host1")
    return shlex.split(line)


def test_there_is_a_unit_for_each_role() -> None:
    assert sorted(p.name for p in UNITS) == sorted(EXPECTED)


@pytest.mark.parametrize("path", UNITS, ids=lambda p: p.name)
def test_each_unit_starts_an_existing_cli_command_with_valid_arguments(path: Path) -> None:
    argv = exec_start(path)
    assert argv[:3] == [INSTALLED_PYTHON, "-m", "bot"]
    args = build_parser().parse_args(argv[3:])  # argparse exits (fails the test) on an unknown option
    command, role = EXPECTED[path.name]
    assert args.command == command
    if role is not None:
        assert args.role == role
        assert args.worker_id == f"host1-{role}-01"
        assert 1024 < args.metrics_port < 65536
    service = unit(path)["Service"]
    assert service["EnvironmentFile"] == "/etc/coopwatch/coopwatch.env"
    assert service["Restart"] == "on-failure"


def test_template_instances_get_distinct_worker_ids_and_metrics_ports() -> None:
    seen_ids, seen_ports = set(), set()
    for path in UNITS:
        if "@" not in path.name:
            continue
        for instance in ("01", "02", "03"):
            args = build_parser().parse_args(exec_start(path, instance)[3:])
            seen_ids.add(args.worker_id)
            seen_ports.add(args.metrics_port)
    assert len(seen_ids) == len(seen_ports) == 6


def test_the_environment_example_names_only_variables_coopwatch_reads() -> None:
    known = {value for name, value in vars(settings_module).items() if name.startswith("ENV_")}
    text = (DEPLOY / "coopwatch.env.example").read_text(encoding="utf-8")
    named = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", text, flags=re.MULTILINE))
    assert named and named <= known, named - known
    assert {"TELEGRAM_BOT_TOKEN", "COOPWATCH_DATABASE_URL"} <= named


def test_the_postgresql_snippet_is_key_value_lines() -> None:
    lines = [line.split("#")[0].strip() for line in (DEPLOY / "postgresql-coopwatch.conf").read_text().splitlines()]
    settings = dict(line.split(" = ", 1) for line in lines if line)
    assert {"max_connections", "idle_in_transaction_session_timeout"} <= set(settings)
    assert int(settings["max_connections"]) >= 100


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_analyze_verifies_every_unit(tmp_path: Path) -> None:
    """With the installed interpreter path pointed at this venv's python, so the ExecStart binary exists."""
    names = []
    for path in UNITS:
        name = path.name.replace("@.", "@01.")
        (tmp_path / name).write_text(path.read_text().replace(INSTALLED_PYTHON, sys.executable))
        names.append(f"./{name}")
    done = subprocess.run(["systemd-analyze", "verify", *names], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "ignoring" not in done.stderr, done.stderr
