"""One simulated RESORT trial at record level: TrialData columns, dates, rules, determinism."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from trialdesk.protocol import load_protocol
from trialdesk.simulate.presets import resort_scenario
from trialdesk.simulate.records import RESORT_FIELDS, simulate_trial_records
from trialdesk.trial.data import TRIAL_DATA_COLUMNS
from trialdesk.trial.eligibility import assess_eligibility
from trialdesk.trial.strata import derive_stratum

START = dt.date(2012, 11, 15)


@pytest.fixture(scope="module")
def protocol():
    return load_protocol("resort")


@pytest.fixture(scope="module")
def records(protocol):
    return simulate_trial_records(protocol, resort_scenario("published", protocol=protocol), seed=7,
                                  start_date=START)


def test_every_documented_column_and_the_screening_fields(records) -> None:
    for name, columns in TRIAL_DATA_COLUMNS.items():
        assert set(columns) <= set(getattr(records, name).columns), name
    assert set(RESORT_FIELDS) <= set(records.patients.columns)
    assert {"nephrectomy_to_metastases", "lesions"} <= set(records.patients.columns)


def test_same_seed_same_records_other_seed_other_records(protocol, records) -> None:
    scenario = resort_scenario("published", protocol=protocol)
    again = simulate_trial_records(protocol, scenario, seed=7, start_date=START)
    other = simulate_trial_records(protocol, scenario, seed=8, start_date=START)
    for name in TRIAL_DATA_COLUMNS:
        pd.testing.assert_frame_equal(getattr(records, name), getattr(again, name))
    assert not records.patients.equals(other.patients)


def test_patients_follow_the_protocol(protocol, records) -> None:
    patients = records.patients
    randomised = patients[patients.randomised]
    assert len(randomised) == 76
    assert sorted(randomised.randomization_number) == list(range(1, 77))
    assert set(randomised.arm) == {"sorafenib", "observation"}
    assert abs((randomised.arm == "sorafenib").sum() - 38) <= 6
    for _, row in randomised.iterrows():
        screening = {name: row[name] for name in RESORT_FIELDS}
        assert assess_eligibility(protocol, screening, row.randomization_date).eligible
        assert derive_stratum(protocol, screening).label == row.stratum
        assert row.screening_date <= row.randomization_date
    failures = patients[~patients.eligible]
    assert (failures.screen_failure_reasons.str.len() > 0).all()
    assert not failures.randomised.any()
    assert patients.patient_id.is_unique


def test_follow_up_records_agree(records) -> None:
    randomised = records.patients.set_index("patient_id").randomization_date.dropna()
    relapse_scans = records.assessments[records.assessments.result == "relapse"]
    relapses = records.events[records.events.event_type == "relapse"]
    assert sorted(zip(relapse_scans.patient_id, relapse_scans.assessment_date, strict=True)) == \
        sorted(zip(relapses.patient_id, relapses.event_date, strict=True))
    days = [(row.assessment_date - randomised[row.patient_id]).days
            for row in records.assessments.itertuples()]
    assert all(abs(d - 84 * round(d / 84)) <= 8 for d in days)  # 12 weeks, window 7 days (+ rounding)
    assert records.assessments.groupby("patient_id").assessment_date.is_monotonic_increasing.all()


def test_exposure_only_on_sorafenib_and_mostly_modified(records) -> None:
    arm = records.patients.set_index("patient_id").arm
    exposures = records.exposures
    assert set(arm[exposures.patient_id.unique()]) == {"sorafenib"}
    assert (exposures.stop_date >= exposures.start_date).all()
    assert set(exposures.change) <= {"start", "continue", "interruption", "reduction", "discontinuation"}
    modified = exposures[exposures.change.isin(["interruption", "reduction"])].patient_id.nunique()
    treated = exposures.patient_id.nunique()
    assert modified >= 0.8 * treated
    assert (exposures[exposures.change == "reduction"].daily_dose_mg == 400).all()


def test_adverse_events_by_arm(records) -> None:
    arm = records.patients.set_index("patient_id").arm
    ae = records.adverse_events
    worst = ae.groupby("patient_id").grade.max().reindex(arm.dropna().index, fill_value=0)
    grade3 = (worst >= 3).groupby(arm.dropna()).mean()
    assert grade3["sorafenib"] > grade3["observation"]
    assert ae.grade.between(1, 5).all()


def test_arms_are_what_the_randomisation_service_assigns_with_the_same_seed(protocol, records) -> None:
    from trialdesk.randomization import permuted_blocks

    randomised = records.patients[records.patients.randomised].sort_values("randomization_number")
    expected = permuted_blocks(list(randomised.stratum), block_sizes=protocol.randomisation.block_sizes,
                               ratio=protocol.allocation_ratio, seed=7, arms=protocol.arm_codes)
    assert list(randomised.arm) == list(expected)
