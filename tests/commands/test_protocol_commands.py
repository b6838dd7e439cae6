"""``trialdesk protocol show`` and ``validate``, including the exit code of a bad file."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from trialdesk.cli import ExitCode, app, main
from trialdesk.protocol import Protocol, load_protocol

runner = CliRunner()


def test_show_resort_as_text() -> None:
    result = runner.invoke(app, ["protocol", "show", "resort"])
    assert result.exit_code == 0
    assert result.stdout.startswith("RESORT version 1.0: ")
    assert "Arms (allocation 1:1)" in result.stdout
    assert load_protocol("resort").fingerprint in result.stdout


def test_show_as_yaml_and_json_load_back() -> None:
    as_yaml = runner.invoke(app, ["protocol", "show", "resort", "--yaml"])
    assert Protocol.model_validate(yaml.safe_load(as_yaml.stdout)) == load_protocol("resort")
    as_json = runner.invoke(app, ["protocol", "show", "three_arm_example", "--json"])
    assert json.loads(as_json.stdout)["allocation_ratio"] == [2, 1, 1]


def test_validate_a_good_file(tmp_path: Path) -> None:
    path = tmp_path / "trial.yaml"
    path.write_text(load_protocol("three_arm_example").to_yaml())
    result = runner.invoke(app, ["protocol", "validate", str(path)])
    assert result.exit_code == 0
    assert "valid protocol EXAMPLE-3ARM version 0.1 (3 arms, 3 criteria" in result.stdout


def test_validate_a_bad_file_names_path_and_line(tmp_path: Path, monkeypatch, capsys) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(load_protocol("resort").to_yaml().replace("dose_mg: 400.0", "dose_mg: -1"))
    monkeypatch.setattr(sys, "argv", ["trialdesk", "protocol", "validate", str(path)])
    with pytest.raises(SystemExit) as caught:
        main()
    assert caught.value.code == ExitCode.INVALID_INPUT
    error = " ".join(capsys.readouterr().err.split())
    assert "bad.yaml, arms[0].dose_mg: must be positive, line" in error


def test_docs_show_the_current_output() -> None:
    """docs/protocol.md quotes `trialdesk protocol show resort` verbatim; it must not go stale."""
    docs = (Path(__file__).resolve().parents[2] / "docs" / "protocol.md").read_text(encoding="utf-8")
    section = docs.split("## `trialdesk protocol show resort`", 1)[1]
    quoted = section.split("```text\n", 1)[1].split("```", 1)[0]
    assert quoted == runner.invoke(app, ["protocol", "show", "resort"]).stdout
