"""ADaM export: files, SAS XPORT v5 with labels, Dataset-JSON 1.1, define.csv, ADTTE conventions,
and the round trip database -> ADaM (each format) -> analysis plan giving the database's numbers."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest
from typer.testing import CliRunner

from tests.interop.interop_trial import CUTOFF
from trialdesk.cli import app
from trialdesk.errors import InputError
from trialdesk.interop import export_adam
from trialdesk.interop.metadata import ADTTE_VARIABLES, DATASET_LABELS
from trialdesk.protocol import load_protocol
from trialdesk.trial.data import TrialData

runner = CliRunner()
DATASETS = ("adsl", "adtte", "adae", "adex")
XPT_V5_HEADER = b"HEADER RECORD*******LIBRARY HEADER RECORD!!!!!!!"


@pytest.fixture(scope="module")
def database_results(interop_database: str) -> dict:
    result = runner.invoke(app, ["analyze", "--db", interop_database, "--cutoff", CUTOFF.isoformat(),
                                 "--events-planned", "20", "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize("fmt", ["csv", "xpt", "json"])
def test_round_trip_gives_the_database_results(exported: Path, database_results: dict, fmt: str) -> None:
    """Every section of the analysis plan (CONSORT, baseline, KM, log-rank, Cox, scan-aware,
    subgroups, safety, dose intensity, interim) is identical from the files and from the store."""
    result = runner.invoke(app, ["analyze", "--adsl", str(exported / f"adsl.{fmt}"),
                                 "--adtte", str(exported / f"adtte.{fmt}"), "--events-planned", "20",
                                 "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == database_results
    assert database_results["consort"]["assessed"] == 15
    assert database_results["population_sizes"]["itt"] == 12
    events = sum(sum(curve["km"]["n_event"]) for curve in database_results["primary"]["curves"])
    assert events == 6  # relapses of k = 1, 3, 5, 7, 9 and the death without relapse of k = 6
    assert database_results["dose_intensity"]


def test_export_writes_every_dataset_in_every_format(exported: Path) -> None:
    names = {path.name for path in exported.iterdir()}
    assert {f"{d}.{fmt}" for d in DATASETS for fmt in ("csv", "xpt", "json")} <= names
    assert {"define.csv", "protocol.yaml"} <= names


@pytest.mark.parametrize("dataset", DATASETS)
def test_xpt_is_version_5_with_labels_intact(exported: Path, dataset: str) -> None:
    path = exported / f"{dataset}.xpt"
    assert path.read_bytes()[:48] == XPT_V5_HEADER
    frame, meta = pyreadstat.read_xport(str(path))
    define = pd.read_csv(exported / "define.csv")
    expected = define[define["dataset"] == dataset.upper()]
    assert list(frame.columns) == list(expected["variable"])
    assert meta.column_names_to_labels == dict(zip(expected["variable"], expected["label"], strict=True))
    assert meta.table_name == dataset.upper()
    assert meta.file_label == DATASET_LABELS[dataset.upper()]
    assert all(len(name) <= 8 for name in frame.columns)
    assert all(len(label) <= 40 for label in meta.column_names_to_labels.values())


def test_xpt_dates_are_sas_dates(exported: Path) -> None:
    frame, meta = pyreadstat.read_xport(str(exported / "adtte.xpt"))
    assert meta.original_variable_types["ADT"] == "DATE9"
    assert isinstance(frame["ADT"].iloc[0], dt.date)


def test_dataset_json_structure(exported: Path) -> None:
    document = json.loads((exported / "adtte.json").read_text())
    assert document["datasetJSONVersion"] == "1.1.0"
    assert document["itemGroupOID"] == "IG.ADTTE"
    assert document["name"] == "ADTTE"
    assert document["records"] == len(document["rows"]) == 12
    columns = document["columns"]
    assert [c["name"] for c in columns] == [v.name for v in ADTTE_VARIABLES]
    aval = next(c for c in columns if c["name"] == "AVAL")
    assert aval == {"itemOID": "IT.ADTTE.AVAL", "name": "AVAL", "label": "Analysis Value",
                    "dataType": "double"}
    adt = next(c for c in columns if c["name"] == "ADT")
    assert (adt["dataType"], adt["targetDataType"]) == ("date", "integer")
    assert all(len(row) == len(columns) for row in document["rows"])


def test_adtte_follows_the_adam_conventions(exported: Path) -> None:
    """CNSR 0 = event, 1 = censored; AVAL = ADT - STARTDT in days; one record per subject."""
    adtte = pd.read_csv(exported / "adtte.csv", parse_dates=["STARTDT", "ADT"])
    assert set(adtte["PARAMCD"]) == {"RFS"}
    assert set(adtte["AVALU"]) == {"DAYS"}
    assert (adtte["AVAL"] == (adtte["ADT"] - adtte["STARTDT"]).dt.days).all()
    events = adtte[adtte["CNSR"] == 0]
    assert set(events["EVNTDESC"]) == {"RELAPSE", "DEATH"}
    assert (events["CNSDTDSC"].isna()).all()
    censored = adtte[adtte["CNSR"] == 1]
    assert set(censored["EVNTDESC"]) == {"NO RELAPSE OR DEATH"}
    assert censored["CNSDTDSC"].notna().all()
    assert len(events) == 6
    assert adtte["USUBJID"].is_unique


def test_adsl_holds_screen_failures_and_recorded_strata(exported: Path) -> None:
    adsl = pd.read_csv(exported / "adsl.csv", keep_default_na=False)
    assert len(adsl) == 15
    assert (adsl["ARMCD"] == "SCRNFAIL").sum() == 2
    assert (adsl["ARMCD"] == "NOTASSGN").sum() == 1
    never_started = adsl[adsl["ACTARMCD"] == "NOTTRT"]
    assert len(never_started) == 1
    flags = never_started[["ARMCD", "TRT01A", "SAFFL", "ITTFL"]].iloc[0].tolist()
    assert flags == ["sorafenib", "", "N", "Y"]
    randomised = adsl[adsl["RANDFL"] == "Y"]
    protocol = load_protocol("resort")
    for k, factor in enumerate(protocol.stratification_factors, start=1):
        assert set(randomised[f"STRAT{k}R"]) <= set(factor.levels)
        labelled = randomised["STRATAR"].str.contains(f"{factor.name}:", regex=False)
        assert labelled.all()
    assert set(adsl["SITEID"]) == {"S01", "S02"}


def test_adex_holds_dose_intensity(exported: Path) -> None:
    adex = pd.read_csv(exported / "adex.csv")
    rdi = adex[adex["PARAMCD"] == "RDI"]
    assert set(rdi["AVALU"]) == {"%"}
    assert ((rdi["AVAL"] > 0) & (rdi["AVAL"] <= 100)).all()
    assert (adex.loc[adex["PARAMCD"] == "DOSE", "AVAL"] >= 0).all()


def test_unknown_format_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="formats"):
        export_adam(TrialData.empty("RESORT"), load_protocol("resort"), tmp_path, formats=("sas7bdat",))
