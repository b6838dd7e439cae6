"""``trialdesk design boundaries`` and ``trialdesk design sample-size``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from trialdesk.cli import ExitCode, app, main

runner = CliRunner()


def test_boundaries_json_matches_the_library() -> None:
    """rpact's asOF (0.5, 0.75, 1) with bsOF: critical values 2.9626, 2.3590, 2.0141."""
    result = runner.invoke(app, ["design", "boundaries", "--information-rates", "0.5,0.75,1",
                                 "--beta-spending", "bsOF", "--json"])
    assert result.exit_code == 0, result.output
    design = json.loads(result.stdout)
    assert design["critical_values"] == pytest.approx([2.962588, 2.359018, 2.014084], abs=1e-5)
    assert design["futility_bounds"] == pytest.approx([0.632526, 1.404154], abs=1e-5)
    assert design["beta_spending"] == "obrien_fleming_spending"


def test_boundaries_table_and_plot(tmp_path: Path) -> None:
    plot = tmp_path / "bounds.svg"
    result = runner.invoke(app, ["design", "boundaries", "--information-rates", "0.6,1", "--plot", str(plot)])
    assert result.exit_code == 0, result.output
    assert "Stage 2" in result.stdout
    assert "2.66863" in result.stdout
    assert plot.read_text().lstrip().startswith("<?xml")


def test_sample_size_table_and_json() -> None:
    arguments = ["design", "sample-size", "--hazard-ratio", "0.65", "--median-control", "18",
                 "--accrual-time", "36", "--follow-up-time", "12", "--information-rates", "0.6,1"]
    table = runner.invoke(app, arguments)
    assert table.exit_code == 0, table.output
    assert "170.6" in table.stdout
    assert "33.34" in table.stdout
    plan = json.loads(runner.invoke(app, [*arguments, "--json"]).stdout)
    assert plan["events"] == pytest.approx(170.62517335278295, rel=1e-4)  # rpact maxNumberOfEvents
    assert plan["subjects"] == pytest.approx(291.38849340717957, rel=1e-4)


def test_bad_input_exits_with_invalid_input(monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.argv", ["trialdesk", "design", "boundaries", "--spending", "obf"])
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == ExitCode.INVALID_INPUT
    assert "spending: is not a known family" in capsys.readouterr().err
