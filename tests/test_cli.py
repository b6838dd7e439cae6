"""The root command: version, help, and the one place that maps errors to exit codes."""

from __future__ import annotations

import subprocess
import sys

import pytest
from typer.testing import CliRunner

from trialdesk import __version__
from trialdesk.cli import ExitCode, app, exit_code_for, main
from trialdesk.errors import (
    AuditIntegrityError,
    ConflictError,
    ConvergenceError,
    DataImportError,
    InputError,
    NotFoundError,
    PermissionDeniedError,
)

runner = CliRunner()


def test_version_prints_the_package_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"trialdesk {__version__}"


def test_help_lists_the_demo() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "demo" in result.stdout


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (ConflictError("already randomised"), ExitCode.CONFLICT),
        (DataImportError("bad", source="a.csv", row=3), ExitCode.INVALID_INPUT),
        (InputError("bad"), ExitCode.INVALID_INPUT),
        (NotFoundError("no patient 7"), ExitCode.NOT_FOUND),
        (PermissionDeniedError("monitors write nothing"), ExitCode.PERMISSION_DENIED),
        (AuditIntegrityError("record 12"), ExitCode.AUDIT_BROKEN),
        (ConvergenceError("no"), ExitCode.ERROR),
    ],
)
def test_each_error_maps_to_its_exit_code(error: Exception, code: ExitCode) -> None:
    assert exit_code_for(error) == code


def test_console_entry_point_runs() -> None:
    """The console entry point runs the app in a fresh interpreter."""
    completed = subprocess.run(
        [sys.executable, "-c", "from trialdesk.cli import main; main()", "--version"],
        capture_output=True, text=True, check=False,
    )
    assert completed.returncode == 0
    assert completed.stdout.strip() == f"trialdesk {__version__}"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["nosuchcmd"], "No such command 'nosuchcmd'"),
        (["design", "boundaries", "--nonexistent"], "No such option: --nonexistent"),
        (["design", "boundaries", "--alpha", "abc"], "Invalid value for '--alpha'"),
    ],
)
def test_usage_errors_exit_with_the_usage_status(argv: list[str], message: str,
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """Every click usage error, not only a bad value, is shown on stderr with no traceback."""
    monkeypatch.setattr(sys, "argv", ["trialdesk", *argv])
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == ExitCode.USAGE
    assert message in capsys.readouterr().err
