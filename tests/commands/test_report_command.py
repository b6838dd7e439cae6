"""``trialdesk report``: the interim report of a trial recorded through the services.

The database is the ``database`` fixture of tests/commands/conftest.py: eight randomised
RESORT patients and one screen failure, with scans, a death, dosing and AEs.
"""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from trialdesk.cli import app

runner = CliRunner()


def test_report_writes_html_pdf_figures_and_json(database: str, tmp_path: Path) -> None:
    out = tmp_path / "interim" / "resort-2022.html"
    result = runner.invoke(app, ["report", "--db", database, "--cutoff", "2022-06-30", "--out",
                                 str(out), "--events-planned", "20", "--title", "RESORT look 1"])
    assert result.exit_code == 0, result.output
    written = [Path(line) for line in result.stdout.splitlines()]
    assert written[:3] == [out, out.with_suffix(".pdf"), out.parent / "results.json"]
    assert all(path.is_file() for path in written)
    assert {p.name for p in written[3:]} >= {"km_rfs.png", "km_rfs.svg", "forest_subgroups.svg"}
    html = out.read_text()
    assert "<title>RESORT look 1</title>" in html
    assert "Interim monitoring" in html
    assert "fewer than 10 events per covariate" in html  # 8 patients: the dose models warn
    assert out.with_suffix(".pdf").read_bytes().startswith(b"%PDF")
    results = json.loads((out.parent / "results.json").read_text())
    events = sum(sum(curve["km"]["n_event"]) for curve in results["primary"]["curves"])
    assert events == 5  # as `trialdesk analyze` counts them on the same store


def test_report_refuses_an_out_path_that_is_not_html(database: str, tmp_path: Path) -> None:
    result = runner.invoke(app, ["report", "--db", database, "--cutoff", "2022-06-30", "--out",
                                 str(tmp_path / "report.pdf")])
    assert result.exit_code != 0
    assert "--out" in str(result.exception)
    assert not list(tmp_path.iterdir())
