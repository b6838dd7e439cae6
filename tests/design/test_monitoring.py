"""Interim monitoring: conditional and predictive power, RCIs, and the decision at a look.

rpact's values for the two-look asOF design (48 of 80 events, z = 1) are compared in
tests/reference/test_design_reference.py; here: closed forms and the decision rules.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import norm

from trialdesk.design import (
    conditional_power,
    group_sequential,
    hazard_ratio_estimate,
    interim_decision,
    predictive_power,
    repeated_confidence_interval,
    repeated_p_value,
)
from trialdesk.errors import InputError

DESIGN = group_sequential([0.5, 1.0], alpha=0.025, beta=0.2, spending="asOF")


def test_two_look_conditional_power_closed_form() -> None:
    """P(Z2 >= c2 | Z1 = z) = Phi((z sqrt(I1) + theta (I2 - I1) - c2 sqrt(I2)) / sqrt(I2 - I1))."""
    information_1, information_2, theta, z = 100 / 4, 200 / 4, -math.log(0.7), 1.3
    expected = norm.cdf((z * math.sqrt(information_1) + theta * (information_2 - information_1)
                         - DESIGN.critical_values[1] * math.sqrt(information_2))
                        / math.sqrt(information_2 - information_1))
    got = conditional_power(DESIGN, z, stage=1, events_planned=200, hazard_ratio=0.7)
    assert got == pytest.approx(expected, abs=1e-12)


def test_predictive_power_closed_form() -> None:
    """Flat prior, two looks: Phi((z sqrt(I2) - c2 sqrt(I1)) / sqrt(I2 - I1))."""
    information_1, information_2, z = 25.0, 50.0, 1.3
    expected = norm.cdf((z * math.sqrt(information_2) - DESIGN.critical_values[1] * math.sqrt(information_1))
                        / math.sqrt(information_2 - information_1))
    assert predictive_power(DESIGN, z, stage=1, events_planned=200) == pytest.approx(expected, abs=1e-10)


def test_conditional_power_rises_with_the_effect_and_is_zero_at_the_end() -> None:
    powers = [conditional_power(DESIGN, 1.0, stage=1, events_planned=200, hazard_ratio=hr)
              for hr in (1.2, 1.0, 0.8, 0.6)]
    assert np.all(np.diff(powers) > 0)
    assert conditional_power(DESIGN, 1.0, stage=2, events_planned=200, hazard_ratio=0.6) == 0.0


def test_repeated_ci_and_p_value() -> None:
    """RCI = exp(-(z -+ c1) / sqrt(I1)); at z = c1 the repeated p-value is alpha."""
    lower, upper = repeated_confidence_interval(DESIGN, 2.0, stage=1, events=100)
    c1 = DESIGN.critical_values[0]
    assert (lower, upper) == pytest.approx((math.exp(-(2 + c1) / 5), math.exp(-(2 - c1) / 5)))
    assert hazard_ratio_estimate(2.0, 100) == pytest.approx(math.sqrt(lower * upper))
    assert repeated_p_value(DESIGN, float(c1), stage=1) == pytest.approx(0.025, abs=1e-9)
    assert repeated_p_value(DESIGN, 3.5, stage=1) < 0.025 < repeated_p_value(DESIGN, 2.0, stage=1)


@pytest.mark.parametrize(("z", "decision"), [
    (3.5, "stop_for_efficacy"), (1.0, "continue"), (-0.5, "stop_for_futility"),
])
def test_decision_follows_the_bounds(z: float, decision: str) -> None:
    design = group_sequential([0.5, 1.0], beta_spending="bsOF")
    result = interim_decision(design, 50, 100, z)
    assert result.decision == decision
    assert result.stage == 1
    assert result.information_fraction == 0.5
    assert result.critical_value == pytest.approx(design.critical_values[0], abs=1e-9)
    assert result.futility_bound == pytest.approx(design.futility_bounds[0], abs=1e-9)


def test_bounds_are_recomputed_at_the_observed_information() -> None:
    early = interim_decision(DESIGN, 40, 100, 1.0)
    np.testing.assert_allclose(early.design.information_rates, [0.4, 1.0])
    assert early.critical_value == pytest.approx(
        group_sequential([0.4, 1.0]).critical_values[0], abs=1e-12)
    assert early.critical_value > DESIGN.critical_values[0]
    assert early.futility_bound == -math.inf


def test_planned_effect_defaults_to_the_designed_effect() -> None:
    """Events from Schoenfeld at HR 0.7: the design's drift at those events is -log(0.7)."""
    events = DESIGN.max_information * 4 / math.log(0.7) ** 2
    by_default = interim_decision(DESIGN, events / 2, events, 1.2)
    given = interim_decision(DESIGN, events / 2, events, 1.2, hazard_ratio_planned=0.7)
    assert by_default.conditional_power_planned == pytest.approx(given.conditional_power_planned, abs=1e-12)
    assert by_default.hazard_ratio == pytest.approx(hazard_ratio_estimate(1.2, events / 2))


def test_final_analysis_spends_the_rest_and_never_continues() -> None:
    final = interim_decision(DESIGN, 110, 100, 1.9, previous_events=[50])
    assert final.stage == 2
    np.testing.assert_allclose(final.design.information_rates, [50 / 110, 1.0])
    assert final.design.alpha_spent[-1] == pytest.approx(0.025, abs=1e-9)
    assert final.futility_bound == final.critical_value
    assert final.decision in ("stop_for_efficacy", "stop_for_futility")
    assert math.isnan(final.conditional_power_planned)


def test_bad_previous_events() -> None:
    with pytest.raises(InputError, match="previous_events"):
        interim_decision(DESIGN, 40, 100, 1.0, previous_events=[50])
    with pytest.raises(InputError, match="stage"):
        conditional_power(DESIGN, 1.0, stage=3, events_planned=100, hazard_ratio=0.7)


def test_summary_is_one_row() -> None:
    table = interim_decision(DESIGN, 50, 100, 1.0).summary()
    assert table.n_rows == 1
    assert table.columns["Decision"][0] == "continue"


def test_resort_interim_example() -> None:
    """docs/design.md#worked-example-resort: 26 events, HR 1.239 from 52% vs 59% at 24 months."""
    design = group_sequential([0.5, 1.0], alpha=0.025, beta=0.2, spending="asOF")
    events_planned = design.max_information * 4 / math.log(0.6) ** 2
    hr_reported = math.log(0.52) / math.log(0.59)
    z = -math.log(hr_reported) * math.sqrt(26 / 4)
    result = interim_decision(design, 26, events_planned, z, hazard_ratio_observed=hr_reported,
                              hazard_ratio_planned=0.6)
    assert result.decision == "continue"
    assert round(result.information_fraction, 3) == 0.215
    assert round(result.critical_value, 3) == 4.691
    assert round(result.conditional_power_planned, 3) == 0.495
    assert round(result.predictive_power, 3) == 0.050
    assert result.conditional_power_observed < 0.001


@settings(max_examples=25, deadline=None)
@given(st.floats(-3.0, 3.0), st.floats(-3.0, 3.0), st.floats(0.5, 1.5))
def test_conditional_power_is_a_probability_rising_with_z(z: float, other: float,
                                                           hazard_ratio: float) -> None:
    low, high = sorted((z, other))
    powers = [conditional_power(DESIGN, value, stage=1, events_planned=120, hazard_ratio=hazard_ratio)
              for value in (low, high)]
    assert 0.0 <= powers[0] <= powers[1] + 1e-12 <= 1.0 + 1e-12


def test_two_sided_design_stops_at_either_bound() -> None:
    design = group_sequential([0.5, 1.0], alpha=0.05, sided=2)
    harmful = interim_decision(design, 50, 100, -3.5)
    assert harmful.futility_bound == pytest.approx(-harmful.critical_value)
    assert harmful.decision == "stop_for_futility"
    assert interim_decision(design, 50, 100, 3.5).decision == "stop_for_efficacy"
