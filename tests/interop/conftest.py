"""Fixtures of the interop tests: a recorded trial in SQLite and its ADaM export."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.interop.interop_trial import CUTOFF, record_trial
from trialdesk.cli import app


@pytest.fixture(scope="session")
def interop_database(make_database: Callable[[], str]) -> str:
    """The trial of ``interop_trial.record_trial`` in a fresh database (SQLite and PostgreSQL)."""
    url = make_database()
    record_trial(url)
    return url


@pytest.fixture(scope="session")
def exported(interop_database: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder ``trialdesk export adam`` wrote for that trial (every format)."""
    out = tmp_path_factory.mktemp("adam")
    result = CliRunner().invoke(app, ["export", "adam", "--db", interop_database, "--out", str(out),
                                      "--cutoff", CUTOFF.isoformat()])
    assert result.exit_code == 0, result.output
    return out
