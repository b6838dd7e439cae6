"""The recursive integration against closed forms and scipy's multivariate normal."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import multivariate_normal, norm

from trialdesk.design._integration import crossing_probabilities


def test_one_look_is_the_normal_tail() -> None:
    upper, lower = crossing_probabilities([1.96], [-1.0], [4.0], 0.5)
    assert upper[0] == pytest.approx(norm.sf(1.96 - 0.5 * 2.0), abs=1e-14)
    assert lower[0] == pytest.approx(norm.cdf(-1.0 - 0.5 * 2.0), abs=1e-14)


@pytest.mark.parametrize("theta", [0.0, 1.5, -0.7])
def test_two_looks_match_the_bivariate_normal(theta: float) -> None:
    """P(Z1 < 2.5, Z2 >= 2.0) with corr sqrt(t1 / t2) and means theta sqrt(t)."""
    rates = np.array([0.4, 1.0])
    mean = theta * np.sqrt(rates)
    correlation = math.sqrt(rates[0] / rates[1])
    joint = multivariate_normal(mean=mean, cov=[[1, correlation], [correlation, 1]])
    upper, _ = crossing_probabilities([2.5, 2.0], [-math.inf, -math.inf], rates, theta)
    below_both = joint.cdf([2.5, 2.0])
    expected_second = norm.cdf(2.5 - mean[0]) - below_both
    assert upper[0] == pytest.approx(norm.sf(2.5 - mean[0]), abs=1e-12)
    assert upper[1] == pytest.approx(expected_second, abs=1e-6)


def test_probabilities_of_all_exits_sum_to_one() -> None:
    """With a final futility bound equal to the efficacy bound every path ends somewhere."""
    rates = [0.3, 0.6, 1.0]
    upper, lower = crossing_probabilities([3.0, 2.5, 2.0], [-0.5, 0.5, 2.0], rates, 1.2)
    assert upper.sum() + lower.sum() == pytest.approx(1.0, abs=1e-8)  # grid error ~2e-9


def test_information_must_increase() -> None:
    with pytest.raises(ValueError, match="information must increase"):
        crossing_probabilities([3.0, 2.0], [-math.inf, -math.inf], [0.5, 0.5], 0.0)
