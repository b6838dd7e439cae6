"""``trialdesk audit verify``: exit 0 on an intact trail; exit 7 naming the first broken item."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import create_engine as plain_engine
from sqlalchemy import text

from trialdesk.cli import ExitCode, main

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")


def _trialdesk(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> int:
    """Run the console script's entry point in-process; its exit status."""
    monkeypatch.setattr(sys, "argv", ["trialdesk", *argv])
    try:
        main()
    except SystemExit as exited:
        return int(exited.code or 0)
    return 0


@pytest.fixture
def initialised(make_database: Callable[[], str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = make_database()
    password_file = tmp_path / "pw"
    password_file.write_text("a long admin password")
    code = _trialdesk(["init", "--protocol", "resort", "--db", url, "--admin-user", "boss",
                       "--admin-password-file", str(password_file)], monkeypatch)
    assert code == 0
    return url


def _behind_the_back(url: str, statement: str) -> None:
    engine = plain_engine(url)
    with engine.begin() as connection:
        connection.execute(text(statement))
    engine.dispose()


def test_intact_trail_verifies(initialised: str, monkeypatch: pytest.MonkeyPatch,
                               capsys: pytest.CaptureFixture[str]) -> None:
    assert _trialdesk(["audit", "verify", "--db", initialised], monkeypatch) == 0
    assert "audit trail intact: 13 records, 2 trial rows match their history" in capsys.readouterr().out


@pytest.mark.parametrize(("statement", "named"), [
    ("UPDATE audit_records SET username = 'someone else' WHERE seq = 2",
     "audit record 2, trials row 1, field created_at: hash does not match"),
    ("UPDATE users SET role = 'monitor' WHERE username = 'boss'",
     'users row 1, field role: database holds "monitor", the audit trail says "admin"'),
], ids=["audit row edited", "trial row edited"])
def test_tampering_fails_and_names_it(initialised: str, statement: str, named: str,
                                      monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    _behind_the_back(initialised, statement)
    code = _trialdesk(["audit", "verify", "--db", initialised], monkeypatch)
    assert code == ExitCode.AUDIT_BROKEN
    assert f"broken: {named}" in capsys.readouterr().err


def test_a_database_without_the_schema_is_not_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    code = _trialdesk(["audit", "verify", "--db", f"sqlite:///{tmp_path / 'empty.db'}"], monkeypatch)
    assert code == ExitCode.NOT_FOUND
    assert "no trialdesk database" in capsys.readouterr().err
