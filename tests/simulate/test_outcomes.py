"""Looks, boundaries and estimates of simulated trials."""

from __future__ import annotations

import dataclasses

import numpy as np

from trialdesk.simulate.cutoff import analysis_dates, data_at_cutoff
from trialdesk.simulate.generator import generate_trials
from trialdesk.simulate.outcomes import _decisions, analyse_trials
from trialdesk.simulate.scenario import Boundaries
from trialdesk.survival import cox_ph, logrank_test


def test_boundaries_by_hand(scenario) -> None:
    """Bounds (2.96, 1.97), futility -2.5 at the interim."""
    with_futility = dataclasses.replace(scenario, boundaries=Boundaries((2.96, 1.97), futility=(-2.5,)))
    z = np.array([[3.0, 0.0], [1.0, 2.0], [1.0, 1.0], [-3.0, 0.0], [np.nan, np.nan]])
    stopped_at, rejected, futility = _decisions(z, with_futility)
    np.testing.assert_array_equal(stopped_at, [0, 1, 1, 0, 1])
    np.testing.assert_array_equal(rejected, [True, True, False, False, False])
    np.testing.assert_array_equal(futility, [False, False, False, True, False])
    two_sided = dataclasses.replace(scenario, boundaries=Boundaries((2.96, 1.97), sided=2))
    _, rejected, _ = _decisions(np.array([[-3.0, 0.0], [0.0, -1.0]]), two_sided)
    np.testing.assert_array_equal(rejected, [True, False])


def test_each_trial_is_analysed_as_the_engine_does_one_trial(scenario) -> None:
    trials = generate_trials(scenario, 40, np.random.default_rng(12))
    outcomes = analyse_trials(trials, scenario)
    cutoffs = analysis_dates(trials, scenario)
    for i in range(0, 40, 7):
        look = data_at_cutoff(trials, scenario, cutoffs[:, outcomes.stopped_at[i]])
        keep = look.included[i]
        arm = trials.arm[i][keep]
        fit = cox_ph(look.time[i][keep], look.event[i][keep], arm[:, None].astype(float))
        test = logrank_test(look.time[i][keep], look.event[i][keep], arm)
        assert abs(outcomes.log_hr[i] - fit.coef[0]) < 1e-8
        assert abs(outcomes.z[i, outcomes.stopped_at[i]] + np.sign(fit.coef[0]) * np.sqrt(test.chisq)) < 1e-8
        assert outcomes.n_events[i] == look.event[i].sum()
    reached = outcomes.n_events[outcomes.stopped_at == 1]
    assert (reached <= 40).all()
    assert np.mean(reached == 40) > 0.5


def test_median_follow_up_is_the_engines_reverse_kaplan_meier(scenario) -> None:
    from trialdesk.survival import median_follow_up

    trials = generate_trials(scenario, 30, np.random.default_rng(13))
    outcomes = analyse_trials(trials, scenario)
    cutoffs = analysis_dates(trials, scenario)
    for i in range(0, 30, 5):
        look = data_at_cutoff(trials, scenario, cutoffs[:, outcomes.stopped_at[i]])
        keep = look.included[i]
        expected = median_follow_up(look.time[i][keep], look.event[i][keep]).median
        np.testing.assert_equal(outcomes.median_follow_up[i], expected)
