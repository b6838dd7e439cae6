"""Batch Kaplan-Meier medians: R's print(survfit) rule, identical to the single-trial engine."""

from __future__ import annotations

import numpy as np

from trialdesk.survival import batch, kaplan_meier


def test_median_by_hand() -> None:
    """Times 1, 2, 3, 4 all events: S = .75, .5, .25, 0; S is exactly 0.5 at 2 and drops at 3.

    R: print(survfit(Surv(c(1, 2, 3, 4), rep(1, 4)) ~ 1)) gives median 2.5.
    """
    time = np.array([[1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0, 4.0], [4.0, 3.0, 2.0, 1.0]])
    event = np.array([[1.0, 1.0, 1.0, 1.0], [1.0, 0.0, 0.0, 0.0], [1.0, 1.0, 1.0, 1.0]])
    np.testing.assert_array_equal(batch.km_median(time, event, np.ones_like(time, dtype=bool)).median,
                                  [2.5, np.nan, 2.5])


def test_median_equals_the_engine_in_a_loop() -> None:
    rng = np.random.default_rng(4)
    time = np.round(rng.exponential(10.0, (400, 30))) + 1.0  # many ties
    event = (rng.random((400, 30)) < 0.7).astype(float)
    mask = rng.random((400, 30)) < 0.9
    medians = batch.km_median(time, event, mask).median
    expected = [kaplan_meier(t[m], e[m]).median for t, e, m in zip(time, event, mask, strict=True)]
    np.testing.assert_array_equal(medians, expected)


def test_landmark_ci_coverage_uses_the_engines_log_ci(scenario) -> None:
    """Coverage = whether R's summary(survfit(...), times = c(12, 24)) CI holds the model's S(t)."""
    from trialdesk.simulate.cutoff import AnalysisData
    from trialdesk.simulate.km_estimates import arm_estimates

    rng = np.random.default_rng(6)
    n_trials, n = 300, 40
    time = np.round(rng.exponential(30.0, (n_trials, n)), 1) + 0.1  # months, some ties
    event = (rng.random((n_trials, n)) < 0.6).astype(float)
    included = rng.random((n_trials, n)) < 0.95
    arm = rng.integers(0, 2, (n_trials, n))
    data = AnalysisData(cutoff=np.zeros(n_trials), time=time, event=event, included=included)
    landmark, covered, medians = arm_estimates(data, arm, np.arange(n_trials), scenario)
    truth = [a.rfs.survival(np.array([12.0, 24.0])) for a in scenario.arms]
    for i in range(n_trials):
        for k in (0, 1):
            keep = included[i] & (arm[i] == k)
            km = kaplan_meier(time[i][keep], event[i][keep])
            at = km.at([12.0, 24.0])
            np.testing.assert_allclose(landmark[i, k], at.survival, rtol=1e-12)
            inside = (at.lower <= truth[k]) & (truth[k] <= at.upper)
            expected = np.where(np.isfinite(at.lower), inside, np.nan)
            np.testing.assert_array_equal(covered[i, k], expected)
            np.testing.assert_equal(medians[i, k], km.median)
