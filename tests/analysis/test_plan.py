"""The whole analysis plan of the built-in RESORT protocol on a synthetic trial."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tests.analysis.trial_factory import START, build_trial, exponential_trial, make_patient
from trialdesk.analysis.datasets import build_analysis_datasets
from trialdesk.analysis.plan import control_arm, run_analysis_plan
from trialdesk.analysis.primary import primary_analysis
from trialdesk.protocol import load_protocol

CUTOFF = START + dt.timedelta(days=1100)


@pytest.fixture(scope="module")
def protocol():
    return load_protocol("resort")


@pytest.fixture(scope="module")
def trial():
    patients = exponential_trial(60, hazard_ratio=0.7, seed=2)
    for k, patient in enumerate(patients):
        if patient["arm"] == "sorafenib":
            patient["aes"] = [("hand-foot skin reaction", 3 if k % 8 == 0 else 1, 20)]
            if k % 5 == 0:
                patient["doses"] = [(0, 150, 800.0, "start"), (151, 363, 400.0, "reduction")]
    patients += [make_patient(patient_id=f"F{k}", randomised=False, eligible=False,
                              screen_failure_reasons="histology") for k in range(3)]
    return build_trial(patients)


@pytest.fixture(scope="module")
def results(protocol, trial):
    return run_analysis_plan(protocol, trial, cutoff=CUTOFF, events_planned=150)


def test_control_arm_is_the_arm_without_drug(protocol):
    assert control_arm(protocol) == "observation"


def test_every_step_of_the_plan_runs(results):
    assert results.arms == ("observation", "sorafenib")
    assert results.population_sizes == {"itt": 120, "safety": 120, "per_protocol": 120}
    assert (results.consort.assessed, results.consort.excluded) == (123, 3)
    assert [lm.time for lm in results.primary.landmarks] == [12, 24, 12, 24]
    assert results.primary.rmst.tau == 24
    assert [row.factor for row in results.subgroups.rows if row.is_heading] == [
        "nephrectomy_to_metastases", "disease_site", "lesions"]
    assert results.safety.row("hand-foot skin reaction").any_grade == (0, 60)
    (dose,) = results.dose_intensity
    assert dose.n_reduction == 12
    assert dose.planned_days == 364
    assert results.interim is not None
    assert results.interim.events_planned == 150
    assert results.scan_aware.test.experimental == "sorafenib"
    assert {"age_years", "sex", "disease_site"} <= {row.variable for row in results.baseline.rows}


def test_primary_step_equals_a_direct_call(protocol, trial, results):
    datasets = build_analysis_datasets(trial, cutoff=CUTOFF, arms=protocol.arms,
                                       control_arm="observation",
                                       stratification_factors=("nephrectomy_to_metastases", "disease_site",
                                                               "lesions"))
    direct = primary_analysis(datasets.rfs_for("itt"), arms=("observation", "sorafenib"),
                              landmarks=(12, 24), rmst_tau=24)
    assert results.primary.cox_stratified == direct.cox_stratified
    assert results.primary.logrank_stratified == direct.logrank_stratified


def test_results_are_strict_json(results):
    data = json.loads(results.to_json())
    assert set(data) >= {"consort", "baseline", "follow_up", "primary", "scan_aware", "subgroups",
                         "safety", "dose_intensity", "interim", "summary"}
    assert data["primary"]["curves"][1]["arm"] == "sorafenib"
    assert data["interim"]["decision"] in {"continue", "stop_for_efficacy", "stop_for_futility"}
    assert "HR sorafenib vs observation" in results.summary().to_text()


def test_without_event_counts_there_is_no_interim_step(protocol, trial):
    assert run_analysis_plan(protocol, trial, cutoff=CUTOFF).interim is None
