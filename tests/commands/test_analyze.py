"""``trialdesk analyze``: a RESORT trial recorded through the services, analysed from the store."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from trialdesk.cli import app

runner = CliRunner()


def test_analyze_json_holds_every_section(database: str) -> None:
    result = runner.invoke(app, ["analyze", "--db", database, "--cutoff", "2022-06-30",
                                 "--events-planned", "20", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["population_sizes"]["itt"] == 8
    assert data["consort"]["assessed"] == 9
    assert data["consort"]["exclusion_reasons"] != {}
    events = sum(sum(curve["km"]["n_event"]) for curve in data["primary"]["curves"])
    assert events == 5  # relapses on days 168, 336, 504, 672 and the death on day 600
    assert data["interim"]["events_observed"] == 5
    assert data["safety"]["rows"][0]["term"] == "Any adverse event"


def test_cutoff_before_the_events_changes_the_counts(database: str) -> None:
    result = runner.invoke(app, ["analyze", "--db", database, "--cutoff", "2020-09-01", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    events = sum(sum(curve["km"]["n_event"]) for curve in data["primary"]["curves"])
    assert events == 1  # only the relapse on day 168
    assert data["interim"] is None


def test_analyze_prints_tables(database: str) -> None:
    result = runner.invoke(app, ["analyze", "--db", database, "--cutoff", "2022-06-30"])
    assert result.exit_code == 0, result.output
    assert "Primary analysis: RFS" in result.stdout
    assert "CONSORT" in result.stdout
