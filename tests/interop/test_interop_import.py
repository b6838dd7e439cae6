"""ADaM import: validation errors name file, row (as the user sees it) and variable; a failed
import loads nothing; the protocol-free path and the rebuilt TrialData."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest
from typer.testing import CliRunner

from trialdesk.cli import app
from trialdesk.errors import DataImportError
from trialdesk.interop import read_adam, time_to_event_from_adam, trial_data_from_adam
from trialdesk.protocol import load_protocol

runner = CliRunner()


def _csv_copy(exported: Path, tmp_path: Path, dataset: str, edit) -> tuple[Path, Path]:
    """ADSL and ADTTE CSVs in ``tmp_path``, ``dataset`` changed by ``edit(frame)``."""
    for name in ("adsl", "adtte"):
        shutil.copy(exported / f"{name}.csv", tmp_path / f"{name}.csv")
    path = tmp_path / f"{dataset}.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    edit(frame)
    frame.to_csv(path, index=False)
    return tmp_path / "adsl.csv", tmp_path / "adtte.csv"


def _set(column: str, row: int, value: str):
    def edit(frame: pd.DataFrame) -> None:
        frame.loc[row, column] = value
    return edit


@pytest.mark.parametrize(("dataset", "edit", "row", "field", "message"), [
    ("adtte", _set("CNSR", 3, "2"), 5, "CNSR", "must be 0 (event) or 1 (censored)"),
    ("adtte", _set("AVAL", 0, "-3"), 2, "AVAL", "is negative; times must be >= 0"),
    ("adtte", _set("AVAL", 4, ""), 6, "AVAL", "is missing"),
    ("adtte", _set("AVAL", 1, "ten"), 3, "AVAL", "must be a number"),
    ("adtte", _set("ADT", 2, "2021-02-30"), 4, "ADT", "must be a date"),
    ("adtte", _set("USUBJID", 6, "RESORT-NOBODY"), 8, "USUBJID", "is not a subject of ADSL"),
    ("adsl", _set("USUBJID", 9, "RESORT-S01-0002"), 11, "USUBJID", "appears twice"),
])
def test_validation_error_names_file_row_and_variable(exported: Path, tmp_path: Path, dataset: str, edit,
                                                      row: int, field: str, message: str) -> None:
    adsl, adtte = _csv_copy(exported, tmp_path, dataset, edit)
    with pytest.raises(DataImportError, match=re.escape(message)) as caught:
        read_adam(adsl, adtte)
    error = caught.value
    assert (error.source, error.row, error.field) == (f"{dataset}.csv", row, field)
    assert str(error).startswith(f"{dataset}.csv row {row}, {field}: ")


def test_duplicate_subject_and_parameter(exported: Path, tmp_path: Path) -> None:
    def duplicate(frame: pd.DataFrame) -> None:
        frame.loc[len(frame)] = frame.loc[3]
    adsl, adtte = _csv_copy(exported, tmp_path, "adtte", duplicate)
    with pytest.raises(DataImportError, match="one record per subject and parameter") as caught:
        read_adam(adsl, adtte)
    assert (caught.value.row, caught.value.field) == (14, "PARAMCD")  # header + 12 records + the copy


def test_missing_required_variable(exported: Path, tmp_path: Path) -> None:
    adsl, adtte = _csv_copy(exported, tmp_path, "adtte",
                            lambda frame: frame.drop(columns="CNSR", inplace=True))
    with pytest.raises(DataImportError, match="required ADTTE variable is missing") as caught:
        read_adam(adsl, adtte)
    assert (caught.value.source, caught.value.field, caught.value.row) == ("adtte.csv", "CNSR", None)


def test_xpt_rows_are_record_numbers(exported: Path, tmp_path: Path) -> None:
    frame, meta = pyreadstat.read_xport(str(exported / "adtte.xpt"))
    frame.loc[4, "CNSR"] = 7.0
    pyreadstat.write_xport(frame, str(tmp_path / "adtte.xpt"), file_format_version=5,
                           column_labels=meta.column_names_to_labels)
    with pytest.raises(DataImportError) as caught:
        read_adam(exported / "adsl.xpt", tmp_path / "adtte.xpt")
    assert (caught.value.source, caught.value.row, caught.value.field) == ("adtte.xpt", 5, "CNSR")


def test_dataset_json_rows_are_record_numbers(exported: Path, tmp_path: Path) -> None:
    document = json.loads((exported / "adtte.json").read_text())
    aval = [c["name"] for c in document["columns"]].index("AVAL")
    document["rows"][7][aval] = -1.0
    (tmp_path / "adtte.json").write_text(json.dumps(document))
    with pytest.raises(DataImportError) as caught:
        read_adam(exported / "adsl.json", tmp_path / "adtte.json")
    assert (caught.value.source, caught.value.row, caught.value.field) == ("adtte.json", 8, "AVAL")


def test_failed_import_loads_nothing_and_exits_with_invalid_input(exported: Path, tmp_path: Path) -> None:
    """The CLI prints no result at all: the error comes before any analysis."""
    adsl, adtte = _csv_copy(exported, tmp_path, "adtte", _set("CNSR", 11, "5"))
    shutil.copy(exported / "protocol.yaml", tmp_path / "protocol.yaml")
    result = runner.invoke(app, ["analyze", "--adsl", str(adsl), "--adtte", str(adtte), "--json"])
    assert result.exit_code != 0
    assert result.stdout == ""
    assert isinstance(result.exception, DataImportError)
    assert result.exception.row == 13


def test_rebuilt_trial_data_keeps_the_recorded_facts(exported: Path) -> None:
    protocol = load_protocol("resort")
    adam = read_adam(exported / "adsl.xpt", exported / "adtte.xpt", exported / "adae.xpt",
                     exported / "adex.xpt", protocol=protocol)
    data = trial_data_from_adam(adam, protocol)
    patients = data.patients
    assert len(patients) == 15
    assert patients["randomised"].sum() == 12
    assert set(patients.loc[~patients["randomised"], "eligible"]) == {False, True}
    assert patients["metastases_resected"].dropna().map(type).eq(int).all()
    assert set(data.events["event_type"]) == {"death", "withdrawal", "lost_to_follow_up"}
    assert set(data.exposures["change"]) >= {"start", "interruption", "reduction"}
    assert len(data.adverse_events) == len(adam.frames["ADAE"])


def test_protocol_free_analysis_of_an_exported_adtte(exported: Path) -> None:
    """Without protocol.yaml beside it, ADTTE's RFS is analysed with ARMCD as the arm."""
    adam = read_adam(exported / "adsl.csv", exported / "adtte.csv")
    data = time_to_event_from_adam(adam, arm_levels=("observation", "sorafenib"))
    assert data.arms == ("observation", "sorafenib")
    assert data.table["event"].sum() == 6
    assert data.table["rfs_months"].max() == pytest.approx(598 / 30.4375)


def test_command_without_protocol_analyses_adtte_only(exported: Path, tmp_path: Path) -> None:
    for name in ("adsl", "adtte"):
        shutil.copy(exported / f"{name}.csv", tmp_path / f"{name}.csv")
    result = runner.invoke(app, ["analyze", "--adsl", str(tmp_path / "adsl.csv"), "--adtte",
                                 str(tmp_path / "adtte.csv"), "--arm-level", "observation",
                                 "--arm-level", "sorafenib", "--json"])
    assert result.exit_code == 0, result.output
    primary = json.loads(result.stdout)["primary"]
    assert primary["arms"] == ["observation", "sorafenib"]
    assert sum(sum(curve["km"]["n_event"]) for curve in primary["curves"]) == 6
