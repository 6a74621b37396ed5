"""No silent skips: every skip names its reason, and a run with COOPWATCH_FAIL_ON_SKIP=1 (CI, .ci/run) fails
on a skip whose reason is not listed in COOPWATCH_ALLOWED_SKIPS (one reason per line; .ci/allowed-skips).

Loaded by tests/conftest.py (its hooks are imported there) or with ``-p testkit.skips``.
"""

from __future__ import annotations

import os

import pytest

_SKIPS: list[tuple[str, str]] = []  # (test id, reason)
DEFAULT_REASONS = ("", "unconditional skip", "skipped")  # what pytest says when no reason was given


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped and not hasattr(report, "wasxfail"):
        longrepr = report.longrepr
        reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
        _SKIPS.append((report.nodeid, reason.removeprefix("Skipped: ").strip()))


def unexpected_skips(skips: list[tuple[str, str]], environ: dict[str, str]) -> list[tuple[str, str]]:
    """Skips without a reason always; with COOPWATCH_FAIL_ON_SKIP=1 also those whose reason is not allowed."""
    strict = environ.get("COOPWATCH_FAIL_ON_SKIP") == "1"
    allowed = {line.strip() for line in environ.get("COOPWATCH_ALLOWED_SKIPS", "").splitlines() if line.strip()}
    return [(test, reason) for test, reason in skips if reason in DEFAULT_REASONS or (strict and reason not in allowed)]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    bad = unexpected_skips(_SKIPS, dict(os.environ))
    if not bad:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_sep("=", f"{len(bad)} unexpected skips (testkit/skips.py)", red=True)
        for test, reason in bad:
            reporter.write_line(f"{test}: {reason or 'no reason given'}")
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
