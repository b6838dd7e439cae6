"""Populations and RFS derivation: every rule on hand-built patients with known answers."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from tests.analysis.trial_factory import RESORT_ARMS, START, build_trial, make_patient, scans_until
from trialdesk.analysis.datasets import DAYS_PER_MONTH, build_analysis_datasets
from trialdesk.errors import InputError

CUTOFF = START + dt.timedelta(days=1000)
NED = "no_evidence_of_disease"


def datasets_for(*patients, cutoff=CUTOFF):
    return build_analysis_datasets(build_trial(patients), cutoff=cutoff, arms=RESORT_ARMS,
                                   control_arm="observation",
                                   stratification_factors=("nephrectomy_to_metastases", "lesions"))


def rfs_row(patient, cutoff=CUTOFF):
    rfs = datasets_for(patient, cutoff=cutoff).rfs
    assert len(rfs) == 1
    return rfs.iloc[0]


def test_relapse_at_a_scan_is_the_event_at_the_scan_date():
    row = rfs_row(make_patient(scans=[(84, NED), (170, NED), (250, "relapse"), (340, NED)]))
    assert (row.rfs_days, row.event, row.event_type) == (250, 1, "relapse")
    assert row.rfs_months == pytest.approx(250 / DAYS_PER_MONTH)
    assert (row.interval_left_days, row.interval_right_days) == (170, 250)


def test_not_evaluable_scans_are_not_adequate_assessments():
    row = rfs_row(make_patient(scans=[(84, NED), (170, "not_evaluable")]))
    assert (row.rfs_days, row.event, row.event_type) == (84, 0, "censored")
    assert (row.interval_left_days, row.interval_right_days) == (84, np.inf)


def test_relapse_interval_starts_at_day_zero_without_an_earlier_clear_scan():
    row = rfs_row(make_patient(scans=[(0, NED), (90, "not_evaluable"), (170, "relapse")]))
    assert (row.rfs_days, row.interval_left_days, row.interval_right_days) == (170, 0, 170)


def test_death_before_the_next_scan_is_an_exact_event():
    row = rfs_row(make_patient(scans=[(84, NED)], events=[(120, "death")]))
    assert (row.rfs_days, row.event, row.event_type) == (120, 1, "death")
    assert (row.interval_left_days, row.interval_right_days) == (120, 120)


def test_relapse_scan_before_death_wins_and_ties_count_as_relapse():
    earlier = rfs_row(make_patient(scans=[(84, "relapse")], events=[(100, "death")]))
    assert (earlier.rfs_days, earlier.event_type) == (84, "relapse")
    tie = rfs_row(make_patient(scans=[(84, "relapse")], events=[(84, "death")]))
    assert (tie.rfs_days, tie.event_type) == (84, "relapse")


def test_clinical_relapse_without_a_scan_counts_at_its_date():
    row = rfs_row(make_patient(scans=[(84, NED)], events=[(130, "relapse")]))
    assert (row.rfs_days, row.event_type, row.interval_left_days) == (130, "relapse", 84)


def test_no_post_baseline_assessment_is_censored_at_day_zero():
    row = rfs_row(make_patient(scans=[(0, NED), (-3, NED)]))
    assert (row.rfs_days, row.event) == (0, 0)


def test_censored_at_the_last_clear_scan_even_after_withdrawal():
    row = rfs_row(make_patient(scans=scans_until(400), events=[(450, "withdrawal")]))
    assert (row.rfs_days, row.event) == (336, 0)


def test_cutoff_ignores_scans_events_and_patients_after_it():
    cutoff = START + dt.timedelta(days=200)
    patient = make_patient(scans=[(84, NED), (168, NED), (252, "relapse")],
                           events=[(300, "death")])
    row = rfs_row(patient, cutoff=cutoff)
    assert (row.rfs_days, row.event) == (168, 0)
    on_the_day = rfs_row(patient, cutoff=START + dt.timedelta(days=252))
    assert (on_the_day.rfs_days, on_the_day.event) == (252, 1)
    late = make_patient(patient_id="LATE", randomization_date=START + dt.timedelta(days=201))
    later = make_patient(patient_id="LATER", randomization_date=START + dt.timedelta(days=300))
    datasets = datasets_for(patient, late, later, cutoff=cutoff)
    assert list(datasets.subjects["patient_id"]) == ["P001"]  # LATE screened, not yet randomised
    assert list(datasets.screening["patient_id"]) == ["P001", "LATE"]


def test_dosing_is_cut_at_the_cutoff():
    cutoff = START + dt.timedelta(days=100)
    datasets = datasets_for(make_patient(doses=[(0, 363, 800.0, "start"),
                                                (150, 200, 400.0, "reduction")]), cutoff=cutoff)
    exposures = datasets.exposures
    assert list(exposures["stop_day"]) == [100]
    assert list(exposures["days"]) == [101]


def test_populations_itt_safety_and_per_protocol():
    patients = [
        make_patient(patient_id="TREATED", doses=[(2, 300, 800.0, "start")]),
        make_patient(patient_id="NEVER", doses=[]),
        make_patient(patient_id="OBS", arm="observation"),
        make_patient(patient_id="CROSS", arm="observation", doses=[(5, 50, 800.0, "start")]),
        make_patient(patient_id="INELIGIBLE", eligible=False, doses=[(0, 10, 800.0, "start")]),
        make_patient(patient_id="FAIL", randomised=False, eligible=False,
                     screen_failure_reasons="histology"),
    ]
    datasets = datasets_for(*patients)
    assert set(datasets.population("itt")["patient_id"]) == {
        "TREATED", "NEVER", "OBS", "CROSS", "INELIGIBLE"}
    safety = datasets.population("safety").set_index("patient_id")["actual_arm"].to_dict()
    assert safety == {"TREATED": "sorafenib", "OBS": "observation", "CROSS": "sorafenib",
                      "INELIGIBLE": "sorafenib"}
    assert set(datasets.population("per_protocol")["patient_id"]) == {"TREATED", "OBS"}
    assert len(datasets.screening) == 6
    assert datasets.arms == ("observation", "sorafenib")
    assert set(datasets.rfs_for("safety")["patient_id"]) == set(safety)


def test_strata_are_kept_as_recorded_at_randomisation():
    patient = make_patient(factors={"nephrectomy_to_metastases": "<=12m", "disease_site": "other",
                                    "lesions": "multiple"})
    row = rfs_row(patient)
    assert (row.stratum, row.nephrectomy_to_metastases, row.lesions) == (
        "nephrectomy_to_metastases:<=12m|disease_site:other|lesions:multiple", "<=12m", "multiple")


def test_the_stratum_label_wins_over_later_corrections():
    """The label says lesions single and disease site lung; the lesions column was corrected
    afterwards (multiple); the enrolling site's code stays in ``site``."""
    data = build_trial([make_patient()])
    data.patients["lesions"] = "multiple"
    data.patients["site"] = "S07"
    datasets = build_analysis_datasets(data, cutoff=CUTOFF, arms=RESORT_ARMS,
                                       control_arm="observation",
                                       stratification_factors=("disease_site", "lesions"))
    subject = datasets.subjects.iloc[0]
    assert (subject.disease_site, subject.site, subject.lesions) == ("lung", "S07", "single")
    assert datasets.rfs.iloc[0].lesions == "single"


def test_a_factor_neither_labelled_nor_recorded_is_an_input_error():
    with pytest.raises(InputError, match="stratification factor"):
        build_analysis_datasets(build_trial([make_patient()]), cutoff=CUTOFF, arms=RESORT_ARMS,
                                control_arm="observation", stratification_factors=("grade",))


def test_treatment_emergent_adverse_events_start_at_first_dose():
    patients = [
        make_patient(patient_id="T", doses=[(10, 300, 800.0, "start")],
                     aes=[("rash", 2, 5), ("diarrhoea", 3, 10), ("late", 1, 2000)]),
        make_patient(patient_id="O", arm="observation", aes=[("fatigue", 1, 0)]),
        make_patient(patient_id="N", aes=[("nausea", 1, 3)]),
    ]
    aes = datasets_for(*patients).adverse_events
    assert dict(zip(aes["term"], aes["treatment_emergent"], strict=True)) == {
        "rash": False, "diarrhoea": True, "fatigue": True}


def test_age_at_randomisation_in_years():
    subjects = datasets_for(make_patient(birth_date=dt.date(1955, 1, 5))).subjects
    assert subjects["age_years"].iloc[0] == pytest.approx(60.0, abs=0.01)


def test_unknown_scan_result_names_the_field_and_row():
    with pytest.raises(InputError, match="result") as caught:
        datasets_for(make_patient(scans=[(84, "progression")]))
    assert caught.value.value == "progression"


def test_unknown_control_arm_is_an_input_error():
    with pytest.raises(InputError, match="control_arm"):
        build_analysis_datasets(build_trial([make_patient()]), cutoff=CUTOFF, arms=RESORT_ARMS,
                                control_arm="placebo")
