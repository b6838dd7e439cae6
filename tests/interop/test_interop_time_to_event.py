"""Plain CSV with declared columns: conversion, arm levels, and errors naming file, line and column."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from trialdesk.cli import app
from trialdesk.errors import DataImportError
from trialdesk.interop import analyse_time_to_event, read_survival_csv
from trialdesk.interop.metadata import screening_variable_names

HEADER = "months,relapse,group,centre\n"
ROWS = ["3.5,1,control,A", "12,0,control,B", "7.25,1,drug,A", "20,0,drug,B", "9,1,drug,A"]


def _write(tmp_path: Path, rows: list[str], name: str = "trial.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + "\n".join(rows) + "\n")
    return path


def test_months_are_kept_and_arms_follow_appearance(tmp_path: Path) -> None:
    data = read_survival_csv(_write(tmp_path, ROWS), time="months", event="relapse", arm="group",
                             unit="months", strata="centre")
    assert data.arms == ("control", "drug")
    assert list(data.table["rfs_months"]) == [3.5, 12.0, 7.25, 20.0, 9.0]
    assert list(data.table["event"]) == [1, 0, 1, 0, 1]
    assert list(data.table["stratum"]) == ["A", "B", "A", "B", "A"]


def test_days_become_months_and_declared_levels_set_the_reference(tmp_path: Path) -> None:
    data = read_survival_csv(_write(tmp_path, ROWS), time="months", event="relapse", arm="group",
                             unit="days", arm_levels=("drug", "control"))
    assert data.arms == ("drug", "control")
    assert data.table["rfs_months"].iloc[1] == 12 / 30.4375
    analysis = analyse_time_to_event(data)
    assert analysis.primary.cox_unstratified[0].term == "control vs drug"


def test_hand_counted_kaplan_meier(tmp_path: Path) -> None:
    """control: events at 3.5, censored 12 -> S = 1/2 after 3.5; drug: 7.25 (1 of 3), 9 (1 of 2)."""
    data = read_survival_csv(_write(tmp_path, ROWS), time="months", event="relapse", arm="group",
                             unit="months")
    primary = analyse_time_to_event(data).primary
    assert list(primary.curve("control").km.survival) == pytest.approx([0.5, 0.5])
    assert list(primary.curve("drug").km.survival) == pytest.approx([2 / 3, 1 / 3, 1 / 3])


@pytest.mark.parametrize(("row_index", "bad_row", "column", "message"), [
    (2, "-1,1,drug,A", "months", "is negative; times must be >= 0"),
    (0, "x,1,control,A", "months", "must be a number"),
    (3, "20,2,drug,B", "relapse", "must be 0 (censored) or 1 (event)"),
    (4, "9,1,,A", "group", "is missing; every record needs an arm"),
])
def test_errors_name_file_line_and_column(tmp_path: Path, row_index: int, bad_row: str, column: str,
                                          message: str) -> None:
    rows = list(ROWS)
    rows[row_index] = bad_row
    with pytest.raises(DataImportError, match=re.escape(message)) as caught:
        read_survival_csv(_write(tmp_path, rows), time="months", event="relapse", arm="group", unit="months")
    assert (caught.value.source, caught.value.row, caught.value.field) == ("trial.csv", row_index + 2, column)


def test_undeclared_level_and_missing_column(tmp_path: Path) -> None:
    path = _write(tmp_path, ROWS)
    with pytest.raises(DataImportError, match="not one of the arm levels") as caught:
        read_survival_csv(path, time="months", event="relapse", arm="group", unit="months",
                          arm_levels=("control", "placebo"))
    assert caught.value.row == 4
    with pytest.raises(DataImportError, match="declared column is not in the file"):
        read_survival_csv(path, time="weeks", event="relapse", arm="group", unit="months")


def test_command_needs_the_unit_declared(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["analyze", "--csv", str(_write(tmp_path, ROWS)), "--time", "months",
                                      "--event", "relapse", "--arm", "group"])
    assert result.exit_code != 0
    assert "--unit" in str(result.exception)


def test_screening_variable_names_fit_xpt_and_are_stable() -> None:
    names = screening_variable_names(["birth_date", "metastases_diagnosis_date", "metastasis_site",
                                      "metastases_resected", "sex", "site"], taken=["SEX"])
    assert names == {"birth_date": "BIRTHDT", "metastases_diagnosis_date": "METDIADT",
                     "metastasis_site": "METASITE", "metastases_resected": "METARESE", "sex": "SEX1",
                     "site": "SITE"}
