"""Group-sequential designs: published constants, invariants and input checks.

The classical constants are Jennison & Turnbull (2000), Tables 2.1 and 2.3 (two-sided
alpha = 0.05, equally spaced looks); R's numbers for spending designs are in
tests/reference/test_design_reference.py.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy.stats import norm

from trialdesk.design import group_sequential
from trialdesk.errors import InputError


@pytest.mark.parametrize(("looks", "constant"), [(2, 2.178), (5, 2.413)])
def test_pocock_constants_of_jennison_turnbull(looks: int, constant: float) -> None:
    """J&T Table 2.1: C_P(K, 0.05) = 2.178 (K = 2), 2.413 (K = 5)."""
    d = group_sequential(np.arange(1, looks + 1) / looks, alpha=0.05, sided=2, spending="P")
    np.testing.assert_allclose(d.critical_values, constant, atol=5e-4)


@pytest.mark.parametrize(("looks", "constant"), [(2, 1.977), (5, 2.040)])
def test_obrien_fleming_constants_of_jennison_turnbull(looks: int, constant: float) -> None:
    """J&T Table 2.3: c_k = C_B(K, 0.05) sqrt(K / k), C_B = 1.977 (K = 2), 2.040 (K = 5)."""
    k = np.arange(1, looks + 1)
    d = group_sequential(k / looks, alpha=0.05, sided=2, spending="obrien_fleming")
    np.testing.assert_allclose(d.critical_values / np.sqrt(looks / k), constant, atol=5e-4)


@pytest.mark.parametrize("spending", ["asOF", "asP", "OF", "P"])
@pytest.mark.parametrize("sided", [1, 2])
def test_size_is_alpha_and_power_is_one_minus_beta(spending: str, sided: int) -> None:
    d = group_sequential([0.3, 0.7, 1.0], alpha=0.05, beta=0.1, sided=sided, spending=spending)
    assert d.alpha_spent[-1] == pytest.approx(0.05, abs=1e-9)
    assert d.power[-1] == pytest.approx(0.9, abs=1e-9)
    assert np.all(np.diff(d.alpha_spent) > 0)
    assert np.all(np.diff(d.power) > 0)
    np.testing.assert_allclose(d.stage_levels, norm.sf(d.critical_values))


def test_one_look_is_the_fixed_design() -> None:
    d = group_sequential([1.0], alpha=0.025, beta=0.2)
    assert d.critical_values[0] == pytest.approx(1.959963984540054, abs=1e-9)
    assert d.inflation_factor == pytest.approx(1.0, abs=1e-9)
    assert d.fixed_information == pytest.approx((1.959963984540054 + 0.8416212335729143) ** 2)


def test_linear_spending_two_ways_gives_the_same_bounds() -> None:
    """Hwang-Shih-DeCani with gamma 0 and Kim-DeMets with rho 1 both spend alpha * t."""
    hsd = group_sequential([0.5, 1.0], spending="asHSD", spending_parameter=0.0)
    kd = group_sequential([0.5, 1.0], spending="kim_demets", spending_parameter=1.0)
    np.testing.assert_allclose(hsd.critical_values, kd.critical_values, atol=1e-10)
    assert hsd.alpha_spent[0] == pytest.approx(0.0125, abs=1e-10)


def test_binding_futility_lowers_the_efficacy_bounds() -> None:
    non_binding = group_sequential([0.5, 0.75, 1.0], beta_spending="bsOF", binding=False)
    binding = group_sequential([0.5, 0.75, 1.0], beta_spending="bsOF", binding=True)
    assert binding.critical_values[0] == pytest.approx(non_binding.critical_values[0], abs=1e-9)
    assert np.all(binding.critical_values[1:] < non_binding.critical_values[1:])
    assert binding.alpha_spent[-1] == pytest.approx(0.025, abs=1e-9)
    assert binding.beta_spent[-1] == pytest.approx(0.2, abs=1e-8)
    assert np.all(binding.futility_bounds < binding.critical_values[:-1])


def test_stopping_probabilities_and_expected_information_are_consistent() -> None:
    d = group_sequential([0.5, 0.75, 1.0], beta_spending="bsP")
    ending = d.ending_probabilities(d.drift)
    assert ending.sum() == pytest.approx(1.0, abs=1e-12)
    upper, lower = d.stopping_probabilities(d.drift)
    np.testing.assert_allclose(upper, d.rejection_probabilities)
    np.testing.assert_allclose(lower[:-1], d.futility_probabilities)
    assert d.expected_information(d.drift) == pytest.approx(d.expected_information_h1)
    assert d.expected_information_h1 == pytest.approx(
        float(ending @ d.information_rates) * d.inflation_factor)


def test_same_rates_recompute_to_the_same_design() -> None:
    d = group_sequential([0.4, 1.0], spending="asHSD", spending_parameter=-2.0)
    again = d.with_information_rates([0.4, 1.0])
    np.testing.assert_allclose(again.critical_values, d.critical_values, atol=1e-12)
    later = d.with_information_rates([0.5, 1.0])
    assert later.critical_values[0] < d.critical_values[0]


def test_summary_has_one_row_per_look_and_no_futility_shows_na() -> None:
    table = group_sequential([0.5, 1.0]).summary()
    assert table.n_rows == 2
    assert "NA" in table.to_text()
    assert math.isnan(table.columns["Futility boundary (z)"][0])


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"information_rates": [0.5, 0.4, 1.0]}, "information_rates"),
    ({"information_rates": [0.5, 0.9]}, "information_rates"),
    ({"information_rates": [0.5, 1.0], "alpha": 1.5}, "alpha"),
    ({"information_rates": [0.5, 1.0], "sided": 3}, "sided"),
    ({"information_rates": [0.5, 1.0], "beta": 0.99}, "beta"),
    ({"information_rates": [0.5, 1.0], "sided": 2, "beta_spending": "bsOF"}, "beta_spending"),
    ({"information_rates": [0.5, 1.0], "spending": "OF", "beta_spending": "bsOF"}, "spending"),
    ({"information_rates": [0.5, 1.0], "spending": "asKD"}, "spending_parameter"),
])
def test_bad_inputs_name_the_argument(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(InputError) as raised:
        group_sequential(**kwargs)  # type: ignore[arg-type]
    assert raised.value.field == field


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(0.1, 0.9), min_size=1, max_size=3, unique=True),
       st.sampled_from(["asOF", "asP", "OF", "P"]), st.floats(0.005, 0.05))
def test_any_design_spends_exactly_alpha_with_bounds_above_the_fixed_one(
        interims: list[float], spending: str, alpha: float) -> None:
    rates = sorted(interims)
    assume(min(np.diff([0.0, *rates, 1.0])) > 0.02)
    d = group_sequential([*rates, 1.0], alpha=alpha, spending=spending)
    assert d.alpha_spent[-1] == pytest.approx(alpha, abs=1e-8)
    assert d.critical_values[-1] >= norm.isf(alpha) - 1e-9
    assert d.inflation_factor >= 1.0 - 1e-6  # equality when little alpha is spent early; grid error ~3e-8
