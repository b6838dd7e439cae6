"""Relative dose intensity, counting-process rows and the Cox models on them."""

from __future__ import annotations

import datetime as dt
import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from tests.analysis.trial_factory import RESORT_ARMS, START, build_trial, make_patient, scans_until
from trialdesk.analysis.datasets import DAYS_PER_MONTH, build_analysis_datasets
from trialdesk.analysis.dose_intensity import (
    cumulative_rdi,
    dose_intensity,
    patient_dose_intensity,
    relative_dose_intensity,
    time_varying_dose_intensity,
)
from trialdesk.errors import TrialdeskWarning
from trialdesk.survival import cox_ph

REDUCED = [(0, 99, 800.0, "start"), (100, 127, 0.0, "interruption"),
           (128, 363, 400.0, "reduction")]


def doses(rows):
    return pd.DataFrame(rows, columns=["start_day", "stop_day", "daily_dose_mg", "change"])


def test_rdi_by_hand_with_interruption_and_reduction():
    """100 days at 800 + 28 at 0 + 236 at 400 = 174400 mg of 364 x 800 = 291200 planned."""
    result = patient_dose_intensity(doses(REDUCED), planned_daily_dose_mg=800.0, planned_days=364,
                                    cutoff_day=2000)
    assert result["rdi"] == pytest.approx(174400 / 291200)
    assert (result["interruption"], result["reduction"], result["full_dose"]) == (True, True, False)


def test_full_dose_and_gap_counts_as_interruption():
    full = patient_dose_intensity(doses([(3, 366, 800.0, "start")]), planned_daily_dose_mg=800.0,
                                  planned_days=364, cutoff_day=2000)
    assert (full["rdi"], full["full_dose"], full["first_dose_day"]) == (1.0, True, 3)
    gap = patient_dose_intensity(doses([(0, 99, 800.0, "start"), (110, 400, 800.0, "continue")]),
                                 planned_daily_dose_mg=800.0, planned_days=364, cutoff_day=2000)
    assert gap["interruption"]
    assert gap["rdi"] == pytest.approx(354 / 364)


def test_discontinuation_is_not_an_interruption():
    """100 days at 800 mg, then stopped: RDI 100/364, neither interrupted nor full dose."""
    stopped = patient_dose_intensity(doses([(0, 99, 800.0, "start"),
                                            (100, 101, 0.0, "discontinuation")]),
                                     planned_daily_dose_mg=800.0, planned_days=364, cutoff_day=2000)
    assert not stopped["interruption"]
    assert not stopped["full_dose"]
    assert stopped["rdi"] == pytest.approx(100 / 364)


def test_planned_period_is_cut_at_the_cutoff():
    """At day 149 the 150 planned days hold 100 x 800 + 28 x 0 + 22 x 400 mg."""
    result = patient_dose_intensity(doses(REDUCED), planned_daily_dose_mg=800.0, planned_days=364,
                                    cutoff_day=149)
    assert result["rdi"] == pytest.approx((80000 + 22 * 400) / (150 * 800))


def test_cumulative_rdi_before_each_day():
    """Before day 50: 1; before day 128: 100/128; on the first dose day: 1 (nothing missed)."""
    values = cumulative_rdi(doses(REDUCED), np.array([0, 50, 128, 1000]),
                            planned_daily_dose_mg=800.0, planned_days=364)
    assert_allclose(values, [1.0, 1.0, 100 / 128, 174400 / 291200])


def test_counting_process_rows_split_at_event_times():
    rfs = pd.DataFrame({"patient_id": ["A", "B"], "rfs_days": [200.0, 300.0], "event": [1, 0]})
    exposures = pd.concat([doses(REDUCED).assign(patient_id="A"),
                           doses([(0, 363, 800.0, "start")]).assign(patient_id="B")])
    rows = time_varying_dose_intensity(rfs, exposures, planned_daily_dose_mg=800.0, planned_days=364)
    assert rows["patient_id"].tolist() == ["A", "B", "B"]
    assert_allclose(rows["start"], np.array([0, 0, 200]) / DAYS_PER_MONTH)
    assert_allclose(rows["stop"], np.array([200, 200, 300]) / DAYS_PER_MONTH)
    assert rows["event"].tolist() == [1, 0, 0]
    assert_allclose(rows["rdi_percent"], [100 * (80000 + 72 * 400) / (200 * 800), 100, 100])


def _treated_trial(n: int, seed: int):
    """Sorafenib patients: those who stop early relapse early (the guarantee-time pattern)."""
    rng = np.random.default_rng(seed)
    patients = []
    for k in range(n):
        stop = int(rng.integers(30, 364))
        relapse = int(np.ceil(rng.exponential(500)))
        dose_rows = [(0, stop, 800.0, "start"), (stop + 1, 363, 0.0, "discontinuation")]
        patients.append(make_patient(
            patient_id=f"T{k:03d}", doses=dose_rows,
            scans=scans_until(min(relapse - 1, 900)),
            events=[(relapse, "death")] if relapse <= 900 else []))
    patients.append(make_patient(patient_id="OBS", arm="observation"))
    return build_analysis_datasets(build_trial(patients), cutoff=START + dt.timedelta(days=1000),
                                   arms=RESORT_ARMS, control_arm="observation")


def test_dose_intensity_cox_models_equal_the_engine():
    datasets = _treated_trial(60, seed=3)
    result = dose_intensity(datasets, arm="sorafenib", planned_daily_dose_mg=800.0,
                            max_duration_weeks=52)
    rfs = datasets.rfs.set_index("patient_id").loc[list(result.patient_id)]
    fit = cox_ph(rfs["rfs_months"].to_numpy(), rfs["event"].to_numpy(),
                 100 * np.asarray(result.rdi)[:, None])
    assert result.fixed.coef == pytest.approx(10 * float(fit.coef[0]), abs=1e-12)
    assert result.fixed.n_events == int(rfs["event"].sum())
    rows = time_varying_dose_intensity(rfs.reset_index(), datasets.exposures,
                                       planned_daily_dose_mg=800.0, planned_days=364)
    tv = cox_ph(rows["stop"].to_numpy(), rows["event"].to_numpy(), rows[["rdi_percent"]].to_numpy(),
                start=rows["start"].to_numpy())
    assert result.time_varying.coef == pytest.approx(10 * float(tv.coef[0]), abs=1e-12)
    assert result.n_counting_process_rows == len(rows)
    assert result.n_full_dose == 0
    assert result.n_interruption_or_reduction == 0  # stopped early, never interrupted
    assert "HR per 10% RDI (time-varying)" in result.summary().to_text()


def test_few_events_per_covariate_warn():
    """The warning comes from the Cox models: the RDI alone (ADEX's records) fits none."""
    datasets = _treated_trial(8, seed=5)
    with pytest.warns(TrialdeskWarning, match="fewer than 10"):
        result = dose_intensity(datasets, arm="sorafenib", planned_daily_dose_mg=800.0,
                                max_duration_weeks=52)
    assert result.fixed.events_per_covariate < 10
    with warnings.catch_warnings():
        warnings.simplefilter("error", TrialdeskWarning)
        per_patient = relative_dose_intensity(datasets, arm="sorafenib", planned_daily_dose_mg=800.0,
                                              max_duration_weeks=52)
    assert tuple(per_patient["patient_id"]) == result.patient_id
    assert_array_equal(per_patient["rdi"].to_numpy(), result.rdi)
    assert int(per_patient["full_dose"].sum()) == result.n_full_dose


def test_enough_events_do_not_warn():
    datasets = _treated_trial(80, seed=5)
    with warnings.catch_warnings():
        warnings.simplefilter("error", TrialdeskWarning)
        result = dose_intensity(datasets, arm="sorafenib", planned_daily_dose_mg=800.0,
                                max_duration_weeks=52)
    assert result.fixed.events_per_covariate >= 10

