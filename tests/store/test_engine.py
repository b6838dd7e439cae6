"""Engines from a URL: the environment fallback, the psycopg driver, SQLite's locking settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from trialdesk.store import create_engine, database_url


def test_url_comes_from_the_argument_then_the_environment_then_the_default(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRIALDESK_DATABASE_URL", raising=False)
    assert database_url().render_as_string() == "sqlite:///trialdesk.db"
    monkeypatch.setenv("TRIALDESK_DATABASE_URL", "postgresql://u@db.example/trial")
    assert database_url().render_as_string() == "postgresql+psycopg://u@db.example/trial"
    assert database_url("sqlite:///x.db").render_as_string() == "sqlite:///x.db"


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout_and_foreign_keys(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'sub' / 'trial.db'}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 60_000
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.in_transaction()
    engine.dispose()
    assert (tmp_path / "sub" / "trial.db").exists()
