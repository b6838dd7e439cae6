"""Primary analysis: the numbers equal the engine's on the same data; known effects recovered."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from tests.analysis.trial_factory import RESORT_ARMS, START, build_trial, exponential_trial, make_patient
from trialdesk.analysis.datasets import DAYS_PER_MONTH, build_analysis_datasets
from trialdesk.analysis.primary import primary_analysis
from trialdesk.survival import cox_ph, kaplan_meier, logrank_test

ARMS = ("observation", "sorafenib")
CUTOFF = START + dt.timedelta(days=1200)


@pytest.fixture(scope="module")
def known_trial():
    """300 patients per arm, exponential RFS, true HR 0.5 (sorafenib vs observation)."""
    datasets = build_analysis_datasets(
        build_trial(exponential_trial(300, hazard_ratio=0.5, seed=11)), cutoff=CUTOFF,
        arms=RESORT_ARMS, control_arm="observation")
    rfs = datasets.rfs_for("itt")
    return rfs, primary_analysis(rfs, arms=ARMS, landmarks=(12, 24), rmst_tau=24)


def test_cox_hazard_ratio_recovers_the_true_effect(known_trial):
    _, primary = known_trial
    hr = primary.cox_unstratified[0]
    assert hr.term == "sorafenib vs observation"
    assert abs(math.log(hr.hazard_ratio) - math.log(0.5)) < 3 * hr.se
    assert hr.lower < 0.5 < hr.upper
    assert primary.logrank_stratified.z("sorafenib") > 3


def test_km_landmarks_and_medians_equal_the_engine(known_trial):
    rfs, primary = known_trial
    for arm in ARMS:
        mine = rfs[rfs["arm"] == arm]
        km = kaplan_meier(mine["rfs_months"].to_numpy(), mine["event"].to_numpy(), conf_type="log")
        curve = primary.curve(arm)
        assert_array_equal(curve.km.time, km.time)
        assert_array_equal(curve.km.n_risk, km.n_risk)
        assert_array_equal(curve.km.survival, km.survival)
        assert_array_equal(curve.km.lower, km.lower)
        assert curve.median == km.median or (np.isnan(curve.median) and np.isnan(km.median))
        survival, lower, upper = km.at([12.0, 24.0])
        landmarks = [lm for lm in primary.landmarks if lm.arm == arm]
        assert [lm.survival for lm in landmarks] == list(survival)
        assert [lm.lower for lm in landmarks] == list(lower)
        assert [lm.upper for lm in landmarks] == list(upper)
        assert curve.n == len(mine)
        assert curve.n_events == int(mine["event"].sum())


def test_logrank_and_cox_equal_the_engine(known_trial):
    rfs, primary = known_trial
    time, event = rfs["rfs_months"].to_numpy(), rfs["event"].to_numpy()
    arm, stratum = rfs["arm"].to_numpy(dtype=object), rfs["stratum"].to_numpy(dtype=object)
    stratified = logrank_test(time, event, arm, strata=stratum)
    assert primary.logrank_stratified.chisq == stratified.chisq
    assert primary.logrank_stratified.p_value == stratified.p_value
    assert primary.logrank_unstratified.chisq == logrank_test(time, event, arm).chisq
    treated = (arm == "sorafenib").astype(float)[:, None]
    fit = cox_ph(time, event, treated, strata=stratum)
    hr = primary.cox_stratified[0]
    assert hr.coef == pytest.approx(float(fit.coef[0]), abs=1e-12)
    assert hr.se == pytest.approx(float(fit.se[0]), abs=1e-12)
    assert hr.lower == pytest.approx(float(fit.ci.lower[0]), abs=1e-12)
    assert hr.upper == pytest.approx(float(fit.ci.upper[0]), abs=1e-12)
    assert hr.p_value == pytest.approx(float(fit.p_value[0]), abs=1e-12)


def test_rmst_difference_is_the_engine_arithmetic(known_trial):
    rfs, primary = known_trial
    estimates = []
    for arm in ARMS:
        mine = rfs[rfs["arm"] == arm]
        estimates.append(kaplan_meier(mine["rfs_months"].to_numpy(), mine["event"].to_numpy())
                         .rmst(24))
    (control, se0), (treated, se1) = estimates
    assert primary.rmst.difference == pytest.approx(treated - control, abs=1e-12)
    assert primary.rmst.difference_se == pytest.approx(math.hypot(se0, se1), abs=1e-12)
    assert primary.rmst.difference > 0


def test_hand_built_trial_counts_and_months():
    """Three observation patients: relapse at scan day 168, death day 300, censored day 336."""
    patients = [
        make_patient(patient_id="O1", arm="observation", scans=[(84, "no_evidence_of_disease"),
                                                                (168, "relapse")]),
        make_patient(patient_id="O2", arm="observation", events=[(300, "death")]),
        make_patient(patient_id="O3", arm="observation",
                     scans=[(d, "no_evidence_of_disease") for d in (84, 168, 252, 336)]),
        make_patient(patient_id="S1", scans=[(84, "relapse")]),
        make_patient(patient_id="S2", scans=[(84, "no_evidence_of_disease")]),
    ]
    datasets = build_analysis_datasets(build_trial(patients), cutoff=CUTOFF, arms=RESORT_ARMS,
                                       control_arm="observation")
    primary = primary_analysis(datasets.rfs_for("itt"), arms=ARMS, landmarks=(6,), rmst_tau=None)
    observation = primary.curve("observation")
    assert_allclose(observation.km.time, np.array([168, 300, 336]) / DAYS_PER_MONTH)
    assert_allclose(observation.km.survival, [2 / 3, 1 / 3, 1 / 3])
    assert_allclose(observation.censor_times, [336 / DAYS_PER_MONTH])
    assert primary.rmst.tau == pytest.approx(84 / DAYS_PER_MONTH)  # smaller of 336 and 84 days
    assert "median RFS" in primary.summary().to_text()
    assert primary.to_dict()["curves"][0]["arm"] == "observation"


def test_protocol_conf_level_and_ties_reach_the_engine(known_trial):
    rfs, _ = known_trial
    primary = primary_analysis(rfs, arms=ARMS, landmarks=(12,), rmst_tau=24, conf_level=0.9,
                               ties="breslow")
    treated = rfs[rfs["arm"] == "sorafenib"]
    km = kaplan_meier(treated["rfs_months"].to_numpy(), treated["event"].to_numpy(), conf_level=0.9)
    landmark = next(lm for lm in primary.landmarks if lm.arm == "sorafenib")
    assert landmark.lower == km.at([12.0]).lower[0]
    fit = cox_ph(rfs["rfs_months"].to_numpy(), rfs["event"].to_numpy(),
                 (rfs["arm"] == "sorafenib").to_numpy(dtype=float)[:, None], ties="breslow")
    hr = primary.cox_unstratified[0]
    assert hr.coef == pytest.approx(float(fit.coef[0]), abs=1e-12)
    assert hr.lower == pytest.approx(float(fit.confidence_interval(0.9).lower[0]), abs=1e-12)
    assert "90% CI" in primary.summary().to_text()
