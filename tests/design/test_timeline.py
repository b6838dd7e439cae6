"""Expected events under accrual: closed forms by hand and numerical integration."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.integrate import quad

from trialdesk.design._timeline import PiecewiseExponential, Timeline, dropout_hazard
from trialdesk.errors import InputError

STARTS, HAZARDS = [0.0, 5.0, 12.0], [0.05, 0.02, 0.08]


def _hazard(t: float) -> float:
    return HAZARDS[int(np.searchsorted(STARTS, t, side="right") - 1)]


def test_event_probability_and_its_integral_match_quadrature() -> None:
    """F(t) = int_0^t h(u) exp(-H(u) - gamma u) du and G(t) = int_0^t F, by scipy.quad."""
    gamma = 0.01
    curve = PiecewiseExponential.from_inputs(HAZARDS, STARTS)

    def cumulative(t: float) -> float:
        return quad(_hazard, 0, t, points=[5, 12])[0]

    def event_by(t: float) -> float:
        return quad(lambda u: _hazard(u) * math.exp(-cumulative(u) - gamma * u), 0, t,
                    points=[5, 12], limit=200)[0]

    times = np.array([3.0, 9.0, 20.0])
    f, g = curve.event_integrals(times, gamma)
    np.testing.assert_allclose(f, [event_by(t) for t in times], atol=1e-10)
    np.testing.assert_allclose(g, [quad(event_by, 0, t, points=[5, 12], limit=200)[0] for t in times],
                               atol=1e-8)


def test_exponential_trial_by_hand() -> None:
    """Uniform accrual over A, analysis at T >= A: P = 1 - (exp(-l (T - A)) - exp(-l T)) / (l A)."""
    lam = math.log(2) / 18
    timeline = Timeline(PiecewiseExponential.from_inputs(lam, None), 1.0, 1.0, 0.0, 36.0, 10.0)
    expected = 1 - (math.exp(-lam * 12) - math.exp(-lam * 48)) / (lam * 36)
    assert timeline.event_probabilities(48.0)[0] == pytest.approx(expected, abs=1e-14)
    assert float(timeline.expected_events(48.0)) == pytest.approx(360 * expected, rel=1e-13)
    during = 20.0  # only patients enrolled by t = 20 count: 10 * int_0^20 (1 - exp(-l u)) du
    assert float(timeline.expected_events(during)) == pytest.approx(
        10 * (during - (1 - math.exp(-lam * during)) / lam), rel=1e-12)
    assert timeline.time_of(float(timeline.expected_events(30.0))) == pytest.approx(30.0, abs=1e-9)


def test_splitting_a_piece_changes_nothing() -> None:
    lam = 0.04
    one = Timeline(PiecewiseExponential.from_inputs(lam, None), 0.7, 2.0, 0.02, 24.0, 5.0)
    three = Timeline(PiecewiseExponential.from_inputs([lam] * 3, [0, 6, 20]), 0.7, 2.0, 0.02, 24.0, 5.0)
    times = np.array([4.0, 24.0, 50.0])
    np.testing.assert_allclose(one.expected_events(times), three.expected_events(times), rtol=1e-13)


def test_median_of_piecewise_hazard() -> None:
    curve = PiecewiseExponential.from_inputs([0.01, 0.1], [0, 10])  # H(10) = 0.1
    assert curve.median() == pytest.approx(10 + (math.log(2) - 0.1) / 0.1)


def test_dropout_hazard_and_bad_curves() -> None:
    assert dropout_hazard(0.1, 12.0) == pytest.approx(-math.log(0.9) / 12)
    with pytest.raises(InputError, match="dropout_rate"):
        dropout_hazard(1.0, 12.0)
    with pytest.raises(InputError, match="piecewise_times"):
        PiecewiseExponential.from_inputs([0.1, 0.2], [1, 5])
    with pytest.raises(InputError, match="hazard_control"):
        PiecewiseExponential.from_inputs([0.1, 0.0], [0, 5])
