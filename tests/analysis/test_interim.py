"""The interim step: z sign, information fraction, and the design module's decision."""

from __future__ import annotations

import datetime as dt
import math
from types import SimpleNamespace

import pytest

from tests.analysis.trial_factory import RESORT_ARMS, START, build_trial, exponential_trial
from trialdesk.analysis.datasets import build_analysis_datasets
from trialdesk.analysis.interim import interim_analysis
from trialdesk.analysis.primary import primary_analysis
from trialdesk.design import group_sequential, interim_decision

PLAN = SimpleNamespace(information_fraction=(0.5, 1.0), events=None, spending="asOF", alpha=0.025,
                       sided=1, beta=None, beta_spending=None, binding_futility=False)


@pytest.fixture(scope="module")
def primary():
    datasets = build_analysis_datasets(
        build_trial(exponential_trial(120, hazard_ratio=0.5, seed=8)),
        cutoff=START + dt.timedelta(days=1000), arms=RESORT_ARMS, control_arm="observation")
    return primary_analysis(datasets.rfs_for("itt"), arms=("observation", "sorafenib"),
                            landmarks=(12,))


def test_z_favours_the_experimental_arm_and_matches_the_design_call(primary):
    events = sum(c.n_events for c in primary.curves)
    result = interim_analysis(primary, PLAN, experimental="sorafenib", events_planned=2 * events)
    assert result.events_observed == events
    assert result.information_fraction == pytest.approx(0.5)
    lr = primary.logrank_stratified
    assert result.z == pytest.approx(math.sqrt(lr.chisq))  # sorafenib has fewer events than expected
    assert result.z > 0
    expected = interim_decision(group_sequential([0.5, 1.0], alpha=0.025, beta=0.2, sided=1,
                                                 spending="asOF"),
                                events, 2 * events, result.z,
                                hazard_ratio_observed=primary.cox_stratified[0].hazard_ratio)
    assert result.critical_value == pytest.approx(expected.critical_value, abs=1e-12)
    assert result.decision == expected.decision
    assert result.conditional_power_observed == pytest.approx(expected.conditional_power_observed)
    assert result.information_rates[0] == pytest.approx(0.5)


def test_events_from_the_plan_win(primary):
    events = sum(c.n_events for c in primary.curves)
    plan = SimpleNamespace(**{**vars(PLAN), "information_fraction": None,
                              "events": (events, 4 * events)})
    result = interim_analysis(primary, plan, experimental="sorafenib")
    assert result.events_planned == 4 * events
    assert result.information_fraction == pytest.approx(0.25)
