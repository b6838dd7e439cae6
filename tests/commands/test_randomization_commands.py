"""``trialdesk randomization list | check-list | balance | assess``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from trialdesk.cli import ExitCode, app, main

runner = CliRunner()


def test_list_then_check_it(tmp_path: Path) -> None:
    path = tmp_path / "lists.csv"
    result = runner.invoke(app, ["randomization", "list", "--seed", "7", "--per-stratum", "6",
                                 "--out", str(path)])
    assert result.exit_code == 0
    assert path.read_text().startswith("protocol,stratum,position,block,block_size,arm\nRESORT,")
    checked = runner.invoke(app, ["randomization", "check-list", str(path)])
    assert checked.exit_code == 0
    assert "valid allocation list for RESORT (8 strata)" in checked.stdout
    to_stdout = runner.invoke(app, ["randomization", "list", "--seed", "7", "--per-stratum", "6"])
    assert to_stdout.stdout == path.read_text()


def test_a_broken_list_exits_with_invalid_input(tmp_path: Path, monkeypatch, capsys) -> None:
    path = tmp_path / "lists.csv"
    runner.invoke(app, ["randomization", "list", "--seed", "7", "--per-stratum", "2", "--out", str(path)])
    lines = path.read_text().splitlines()
    lines[1] = lines[1].rsplit(",", 1)[0] + ",placebo"
    path.write_text("\n".join(lines) + "\n")
    monkeypatch.setattr(sys, "argv", ["trialdesk", "randomization", "check-list", str(path)])
    with pytest.raises(SystemExit) as caught:
        main()
    assert caught.value.code == ExitCode.INVALID_INPUT
    assert "lists.csv row 2, arm: must be one of sorafenib, observation" in " ".join(
        capsys.readouterr().err.split())


def test_balance_from_a_patient_file(tmp_path: Path) -> None:
    path = tmp_path / "patients.csv"
    label = "nephrectomy_to_metastases:>12m|disease_site:lung|lesions:single"
    path.write_text(f"patient_id,stratum,arm\nP1,{label},sorafenib\nP2,{label},sorafenib\nP3,{label},\n")
    result = runner.invoke(app, ["randomization", "balance", str(path)])
    assert result.exit_code == 0
    overall = result.stdout.splitlines()[2].split()
    assert overall == ["overall", "all", "2", "0", "2", "2"]


def test_assess_prints_json_and_writes_the_plot(tmp_path: Path) -> None:
    plot = tmp_path / "assess.png"
    result = runner.invoke(app, ["randomization", "assess", "--protocol", "resort", "--patients", "76",
                                 "--sites", "5", "--runs", "50", "--json", "--plot", str(plot)])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert [s["scheme"] for s in data["schemes"]] == ["permuted_blocks", "minimisation", "simple"]
    assert data["runs"] == 50
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_assess_as_a_table() -> None:
    result = runner.invoke(app, ["randomization", "assess", "--runs", "20", "--patients", "30"])
    assert result.exit_code == 0
    assert "permuted_blocks  worst_stratum" in result.stdout
    assert "minimisation: ratio 1:1, p_best 0.8, criterion range" in result.stdout
