"""Batch Kaplan-Meier medians: R's print(survfit) rule, identical to the single-trial engine."""

from __future__ import annotations

import numpy as np

from trialdesk.simulate.km_estimates import km_medians
from trialdesk.survival import kaplan_meier


def test_median_by_hand() -> None:
    """Times 1, 2, 3, 4 all events: S = .75, .5, .25, 0; S is exactly 0.5 at 2 and drops at 3.

    R: print(survfit(Surv(c(1, 2, 3, 4), rep(1, 4)) ~ 1)) gives median 2.5.
    """
    time = np.array([[1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0, 4.0], [4.0, 3.0, 2.0, 1.0]])
    event = np.array([[1.0, 1.0, 1.0, 1.0], [1.0, 0.0, 0.0, 0.0], [1.0, 1.0, 1.0, 1.0]])
    np.testing.assert_array_equal(km_medians(time, event, np.ones_like(time, dtype=bool)),
                                  [2.5, np.nan, 2.5])


def test_median_equals_the_engine_in_a_loop() -> None:
    rng = np.random.default_rng(4)
    time = np.round(rng.exponential(10.0, (400, 30))) + 1.0  # many ties
    event = (rng.random((400, 30)) < 0.7).astype(float)
    mask = rng.random((400, 30)) < 0.9
    medians = km_medians(time, event, mask)
    expected = [kaplan_meier(t[m], e[m]).median for t, e, m in zip(time, event, mask, strict=True)]
    np.testing.assert_array_equal(medians, expected)
