"""Pocock-Simon minimisation kernels: scores worked by hand, the random element, balance.

With several factors no deterministic bound on a level's imbalance exists (an adversarial
order of patients can push one level far out while balancing the others), so the property
tests check what does hold: with one factor the ratio-scaled range never exceeds max(1/r_a),
and with any number of factors the chosen arm always has the lowest score when p_best = 1.
The balance actually reached on RESORT's accrual is measured in the assessment tests.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from trialdesk.randomization.imbalance import imbalance
from trialdesk.randomization.minimisation import arm_scores, choose_arm


def test_scores_by_hand_two_arms() -> None:
    """Counts at the patient's levels: factor 1 (3, 1), factor 2 (2, 2), factor 3 (0, 1).
    Arm A: |4-1| + |3-2| + |1-1| = 4; arm B: |3-2| + |2-3| + |0-2| = 4 (a tie)."""
    counts = [[3, 1], [2, 2], [0, 1]]
    assert_allclose(arm_scores(counts, (1, 1), criterion="range"), [4, 4])
    assert_allclose(arm_scores(counts, (1, 1), criterion="range", weights=[2, 1, 1]), [7, 5])


def test_scores_by_hand_three_arms_two_to_one_to_one() -> None:
    """Counts (2, 1, 0), ratio 2:1:1. Scaled after adding: arm 0 (1.5, 1, 0), arm 1 (1, 2, 0),
    arm 2 (1, 1, 1). Range 1.5, 2, 0; marginal balance 0.5+1.5+1 = 3, 1+1+2 = 4, 0."""
    assert_allclose(arm_scores([[2, 1, 0]], (2, 1, 1), criterion="range"), [1.5, 2, 0])
    assert_allclose(arm_scores([[2, 1, 0]], (2, 1, 1), criterion="marginal_balance"), [3, 4, 0])


def test_imbalance_measures_agree_for_two_arms() -> None:
    counts = np.array([[5, 2], [0, 0], [1, 4]])
    assert_allclose(imbalance(counts, (1, 1)), [3, 0, 3])
    assert_allclose(imbalance(counts, (1, 1), criterion="marginal_balance"), [3, 0, 3])


@pytest.mark.parametrize(
    ("scores", "uniforms", "arm"),
    [([1, 0], (0.3, 0.5, 0.0), 1),        # preferred arm, coin below p_best
     ([1, 0], (0.3, 0.9, 0.0), 0),        # coin above p_best: the other arm
     ([2, 2], (0.7, 0.99, 0.0), 1),       # all tie: uniform, no coin: floor(0.7 * 2) = 1
     ([0, 0, 5], (0.6, 0.1, 0.0), 1),     # tie among arms 0 and 1: floor(0.6 * 2) = 1
     ([0, 0, 5], (0.6, 0.9, 0.6), 2),     # not preferred: the others are 0 and 2; floor(0.6 * 2) = 1 -> 2
     ([3, 1, 2], (0.0, 0.85, 0.2), 0)],   # others 0 and 2; floor(0.2 * 2) = 0 -> 0
)
def test_the_random_element_by_hand(scores, uniforms, arm) -> None:
    assert int(choose_arm(scores, uniforms, p_best=0.8)) == arm


def test_preferred_arm_is_given_with_probability_p_best() -> None:
    rng = np.random.default_rng(5)
    chosen = choose_arm(np.tile([2.0, 0.0, 1.0], (100_000, 1)), rng.random((100_000, 3)), p_best=0.8)
    shares = np.bincount(chosen, minlength=3) / 100_000
    se = np.sqrt(0.8 * 0.2 / 100_000)
    assert abs(shares[1] - 0.8) < 4 * se
    assert abs(shares[0] - 0.1) < 4 * se
    assert abs(shares[2] - 0.1) < 4 * se


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from([(1, 1), (2, 1), (2, 1, 1), (1, 2, 3)]),
       st.sampled_from(["range", "marginal_balance"]),
       st.lists(st.integers(0, 2), min_size=1, max_size=300))
def test_one_factor_minimisation_keeps_each_level_within_one_patient_per_ratio_unit(seed, ratio, criterion,
                                                                                   levels):
    """Deterministic minimisation (p_best = 1) on one factor: max - min of n_a / r_a <= max(1 / r_a)."""
    rng = np.random.default_rng(seed)
    counts = np.zeros((3, len(ratio)), dtype=np.int64)
    for level in levels:
        scores = arm_scores(counts[[level]], ratio, criterion=criterion)
        counts[level, int(choose_arm(scores, rng.random(3), p_best=1.0))] += 1
        assert imbalance(counts[level], ratio) <= max(1 / r for r in ratio) + 1e-9


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.lists(st.tuples(st.integers(0, 1), st.integers(0, 1), st.integers(0, 1)),
                                           min_size=1, max_size=200))
def test_with_p_best_one_the_chosen_arm_always_has_the_lowest_score(seed, patients):
    rng = np.random.default_rng(seed)
    counts = np.zeros((3, 2, 2), dtype=np.int64)
    factors = np.arange(3)
    for levels in patients:
        scores = arm_scores(counts[factors, list(levels)], (1, 1), criterion="range")
        arm = int(choose_arm(scores, rng.random(3), p_best=1.0))
        assert scores[arm] == scores.min()
        counts[factors, list(levels), arm] += 1
