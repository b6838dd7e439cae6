"""``trialdesk simulate`` and ``trialdesk reproduce``: tables and JSON on stdout, errors named."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from trialdesk.cli import app
from trialdesk.errors import InputError

runner = CliRunner()


def test_simulate_json_is_the_runners_result() -> None:
    from trialdesk.simulate import resort_scenario, simulate

    result = runner.invoke(app, ["simulate", "--protocol", "resort", "--scenario", "null", "--trials", "1000",
                                 "--seed", "7", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    expected = simulate(resort_scenario("null"), 1000, seed=7).to_dict()
    assert data == json.loads(json.dumps(expected))
    assert data["scenario"] == "resort-null"


def test_simulate_prints_a_table() -> None:
    result = runner.invoke(app, ["simulate", "--scenario", "published", "--trials", "1000"])
    assert result.exit_code == 0, result.output
    assert "rejection rate" in result.stdout
    assert "median_sorafenib" in result.stdout


def test_reproduce_places_each_published_figure() -> None:
    result = runner.invoke(app, ["reproduce", "resort", "--trials", "1000", "--json"])
    assert result.exit_code == 0, result.output
    rows = {row["quantity"]: row for row in json.loads(result.stdout)["rows"]}
    assert rows["median_sorafenib"]["published"] == 29
    assert rows["rfs_12m_observation"]["published"] == 0.74
    assert all(0 <= row["percentile"] <= 100 for row in rows.values())


def test_unknown_scenario_is_an_input_error() -> None:
    result = runner.invoke(app, ["simulate", "--scenario", "optimistic", "--trials", "10"])
    assert isinstance(result.exception, InputError)
    assert "scenario" in str(result.exception)
