"""R's lung data imported as ADaM CSV and as a plain CSV with declared columns, analysed to R's numbers.

``lung.csv`` (227 patients, time in days, ``arm`` ECOG0-1 = reference vs ECOG2-3, ``sex`` as
the stratum) is written as ADSL + ADTTE (PARAMCD ``OS``, ``AVALU`` ``DAYS``, ``CNSR`` =
1 - event); the importer converts to months (days / 30.4375), so medians are compared in
days after multiplying back. Estimates 1e-6, p-values 1e-4 (``tests/conftest.py``'s
``reference_dir``; the module does not import ``conftest``, whose name other folders reuse).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from trialdesk.analysis.datasets import DAYS_PER_MONTH
from trialdesk.cli import app
from trialdesk.interop import (
    TimeToEventAnalysis,
    analyse_time_to_event,
    read_adam,
    read_survival_csv,
    time_to_event_from_adam,
)

ARMS = ("ECOG0-1", "ECOG2-3")
EST = 1e-6
P = 1e-4


@pytest.fixture(scope="module")
def reference(reference_dir: Path) -> dict:
    return json.loads((reference_dir / "lung.json").read_text())


def _write_lung_adam(lung_csv: Path, folder: Path) -> tuple[Path, Path]:
    lung = pd.read_csv(lung_csv)
    subjects = [f"LUNG-{k:03d}" for k in range(1, len(lung) + 1)]
    adsl = pd.DataFrame({"STUDYID": "LUNG", "USUBJID": subjects, "ARM": lung["arm"], "ARMCD": lung["arm"],
                         "SEX": lung["sex"], "AGE": lung["age"]})
    adtte = pd.DataFrame({"STUDYID": "LUNG", "USUBJID": subjects, "PARAMCD": "OS",
                          "PARAM": "Overall survival", "AVAL": lung["time"], "AVALU": "DAYS",
                          "CNSR": 1 - lung["event"]})
    adsl.to_csv(folder / "adsl.csv", index=False)
    adtte.to_csv(folder / "adtte.csv", index=False)
    return folder / "adsl.csv", folder / "adtte.csv"


def _na(value: float | None) -> float:
    return math.nan if value is None else float(value)


@pytest.fixture(scope="module")
def adam_analyses(reference_dir: Path, tmp_path_factory: pytest.TempPathFactory
                  ) -> dict[str, TimeToEventAnalysis]:
    adsl, adtte = _write_lung_adam(reference_dir / "lung.csv", tmp_path_factory.mktemp("lung"))
    adam = read_adam(adsl, adtte)
    return {"unstratified": analyse_time_to_event(time_to_event_from_adam(adam, paramcd="OS")),
            "sex": analyse_time_to_event(time_to_event_from_adam(adam, paramcd="OS", strata="SEX"))}


@pytest.fixture(scope="module")
def csv_analysis(reference_dir: Path) -> TimeToEventAnalysis:
    data = read_survival_csv(reference_dir / "lung.csv", time="time", event="event", arm="arm",
                             unit="days", strata="sex")
    return analyse_time_to_event(data)


def test_arm_levels_in_order_of_appearance(adam_analyses, csv_analysis) -> None:
    assert adam_analyses["sex"].primary.arms == ARMS
    assert csv_analysis.primary.arms == ARMS


@pytest.mark.parametrize("route", ["adam", "csv"])
def test_km_medians(adam_analyses, csv_analysis, reference, route: str) -> None:
    """R: print(survfit(Surv(time, event) ~ arm, data = d, conf.type = 'log'))."""
    primary = (adam_analyses["sex"] if route == "adam" else csv_analysis).primary
    for arm in ARMS:
        expected = reference["km"]["by_arm"][arm]["ci"]["log"]["median_print"]
        curve = primary.curve(arm)
        in_days = [DAYS_PER_MONTH * v for v in (curve.median, curve.median_lower, curve.median_upper)]
        assert in_days == pytest.approx([_na(expected["estimate"]), _na(expected["lower"]),
                                         _na(expected["upper"])], abs=EST, nan_ok=True)


def test_logrank_unstratified(adam_analyses, reference) -> None:
    """R: survdiff(Surv(time, event) ~ arm, data = d)."""
    expected = reference["logrank"]
    test = adam_analyses["unstratified"].primary.logrank_unstratified
    assert test.chisq == pytest.approx(expected["chisq"], abs=EST)
    assert test.p_value == pytest.approx(expected["p"], abs=P)
    assert test.expected == pytest.approx(expected["expected"], abs=EST)


@pytest.mark.parametrize("route", ["adam", "csv"])
def test_logrank_stratified_by_sex(adam_analyses, csv_analysis, reference, route: str) -> None:
    """R: survdiff(Surv(time, event) ~ arm + strata(sex), data = d)."""
    expected = reference["logrank_stratified"]["sex"]
    test = (adam_analyses["sex"] if route == "adam" else csv_analysis).primary.logrank_stratified
    assert test.chisq == pytest.approx(expected["chisq"], abs=EST)
    assert test.p_value == pytest.approx(expected["p"], abs=P)


def _assert_cox(hr, expected: dict) -> None:
    assert hr.term == "ECOG2-3 vs ECOG0-1"
    assert hr.coef == pytest.approx(expected["coef"][0], abs=EST)
    assert hr.se == pytest.approx(expected["se"][0], abs=EST)
    assert hr.hazard_ratio == pytest.approx(expected["hr"][0], abs=EST)
    assert (hr.lower, hr.upper) == pytest.approx((expected["hr_lower"][0], expected["hr_upper"][0]), abs=EST)
    assert hr.p_value == pytest.approx(expected["p"][0], abs=P)


def test_cox_unstratified(adam_analyses, reference) -> None:
    """R: coxph(Surv(time, event) ~ arm, data = d, ties = 'efron')."""
    _assert_cox(adam_analyses["unstratified"].primary.cox_unstratified[0], reference["cox"]["a_arm"]["efron"])


@pytest.mark.parametrize("route", ["adam", "csv"])
def test_cox_stratified_by_sex(adam_analyses, csv_analysis, reference, route: str) -> None:
    """R: coxph(Surv(time, event) ~ arm + strata(sex), data = d, ties = 'efron')."""
    analysis = adam_analyses["sex"] if route == "adam" else csv_analysis
    _assert_cox(analysis.primary.cox_stratified[0], reference["cox"]["c_stratified"]["sex"]["efron"])


def test_command_line_csv_gives_r_hazard_ratio(reference_dir: Path, reference) -> None:
    """R: coxph(Surv(time, event) ~ arm + strata(sex), data = d, ties = 'efron')."""
    result = CliRunner().invoke(app, ["analyze", "--csv", str(reference_dir / "lung.csv"), "--time", "time",
                                      "--event", "event", "--arm", "arm", "--unit", "days", "--strata", "sex",
                                      "--json"])
    assert result.exit_code == 0, result.output
    hr = json.loads(result.stdout)["primary"]["cox_stratified"][0]
    expected = reference["cox"]["c_stratified"]["sex"]["efron"]
    assert hr["hazard_ratio"] == pytest.approx(expected["hr"][0], abs=EST)
    assert hr["p_value"] == pytest.approx(expected["p"][0], abs=P)
