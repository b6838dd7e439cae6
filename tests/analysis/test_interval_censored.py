"""Turnbull NPMLE and Finkelstein's test on hand-worked data."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from trialdesk.analysis.interval_censored import finkelstein_scores, finkelstein_test, turnbull
from trialdesk.errors import InputError
from trialdesk.survival import kaplan_meier

INF = np.inf


def test_exact_and_right_censored_data_give_kaplan_meier():
    """Times 1, 2, 2+, 3, 4+, 5: KM 5/6, 2/3, 4/9, 0 (n_risk 6, 5, 3, 1 counted by eye)."""
    time = np.array([1, 2, 2, 3, 4, 5.0])
    event = np.array([1, 1, 0, 1, 0, 1])
    fit = turnbull(time, np.where(event == 1, time, INF))
    assert_allclose(fit.right, [1, 2, 3, 5])
    assert_allclose(fit.survival, [5 / 6, 2 / 3, 4 / 9, 0], atol=1e-9)
    assert_allclose(fit.at([0.5, 2, 4.9]), [1, 2 / 3, 4 / 9], atol=1e-9)
    assert fit.median() == 3


def test_innermost_intervals_and_masses_by_hand():
    """(0, 2], (1, 3], (4, 6]: innermost (1, 2] holds 2/3, (4, 6] holds 1/3.

    Each of the first two intervals contains (1, 2]; the likelihood (m1)^2 m2 with
    m1 + m2 = 1 is maximal at m1 = 2/3.
    """
    fit = turnbull([0, 1, 4], [2, 3, 6])
    assert_allclose(fit.left, [1, 4])
    assert_allclose(fit.right, [2, 6])
    assert fit.left_open.tolist() == [True, True]
    assert_allclose(fit.mass, [2 / 3, 1 / 3], atol=1e-9)


def test_open_left_end_does_not_contain_an_exact_point_at_it():
    """[2, 2] exact and (2, 5]: two innermost intervals, each holding one half."""
    fit = turnbull([2, 2], [2, 5])
    assert_allclose(fit.left, [2, 2])
    assert_allclose(fit.right, [2, 5])
    assert fit.left_open.tolist() == [False, True]
    assert_allclose(fit.mass, [0.5, 0.5], atol=1e-9)


def test_matches_r_survfit_turnbull_to_its_own_convergence():
    """R: summary(survfit(Surv(L, R, type = "interval2") ~ 1)) prints survival 0.759, 0.407, 0.

    L = 0 84 170 120 84 250 0 84 168 30; R = 84 168 NA 120 NA 336 170 252 NA 30.
    R's EM stops at a change of 5e-5, so only its printed digits are compared.
    """
    left = [0, 84, 170, 120, 84, 250, 0, 84, 168, 30]
    right = [84, 168, INF, 120, INF, 336, 170, 252, INF, 30]
    fit = turnbull(left, right)
    assert np.round(fit.at([30, 120, 336]), 3).tolist() == [0.759, 0.407, 0.0]


def test_finkelstein_scores_by_hand():
    """(0, 2], (1, 3], (4, 6]: S(0)=1, S(1)=1, S(2)=S(3)=1/3, S(4)=1/3, S(6)=0.

    c = (S(L) log S(L) - S(R) log S(R)) / (S(L) - S(R)):
    first two: (0 - (1/3) log(1/3)) / (2/3) = log(3)/2; third: (1/3) log(1/3) / (1/3) = -log 3.
    """
    scores = finkelstein_scores([0, 1, 4], [2, 3, 6])
    assert_allclose(scores, [np.log(3) / 2, np.log(3) / 2, -np.log(3)], atol=1e-9)


def test_finkelstein_statistic_and_sign():
    """Experimental arm = the third patient: U = -log 3 - (1/3) * 0 = -log 3 (sum of c is 0).

    var = n1 n0 / (n (n - 1)) sum (c - mean)^2 = 2/6 * (log(3)^2 / 2 + log(3)^2) = log(3)^2 / 2;
    z = -U / sqrt(var) = sqrt(2) > 0: the experimental arm's event is later (favourable).
    """
    test = finkelstein_test([0, 1, 4], [2, 3, 6], ["obs", "obs", "sora"], control="obs")
    assert test.experimental == "sora"
    assert test.score == pytest.approx(-np.log(3))
    assert test.variance == pytest.approx(np.log(3) ** 2 / 2)
    assert test.z == pytest.approx(np.sqrt(2))
    assert test.p_value == pytest.approx(0.1572992, abs=1e-6)  # R: pchisq(2, 1, lower = FALSE)


def test_finkelstein_detects_a_large_difference():
    rng = np.random.default_rng(7)
    early = rng.exponential(100, 60)
    late = rng.exponential(400, 60)
    scans = np.arange(0, 5000, 84.0)
    times = np.concatenate([early, late])
    right = scans[np.searchsorted(scans, times)]
    left = right - 84
    test = finkelstein_test(left, right, ["obs"] * 60 + ["sora"] * 60, control="obs")
    assert test.z > 4
    assert test.p_value < 1e-4


def test_right_below_left_is_an_input_error():
    with pytest.raises(InputError, match="right"):
        turnbull([5, 1], [4, 2])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 30), st.booleans()), min_size=2, max_size=40))
def test_without_interval_censoring_turnbull_is_kaplan_meier(observations):
    """Exact events and right-censored times only: the NPMLE is the KM estimate at its event times."""
    time = np.array([t for t, _ in observations], dtype=float)
    event = np.array([e for _, e in observations], dtype=float)
    fit = turnbull(time, np.where(event == 1, time, INF))
    km = kaplan_meier(time, event)
    event_times = km.time[km.n_event > 0]
    assert_allclose(fit.at(event_times), km.survival[km.n_event > 0], atol=1e-7)
