"""Spending functions against their closed forms, and the names they go by."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import norm

from trialdesk.design._spending import (
    canonical_alpha_spending,
    canonical_beta_spending,
    check_parameter,
    spent,
    wang_tsiatis_delta,
)
from trialdesk.errors import InputError

RATES = np.array([0.25, 0.5, 0.75, 1.0])


@pytest.mark.parametrize(("family", "parameter"), [
    ("obrien_fleming_spending", None), ("pocock_spending", None),
    ("hwang_shih_decani", -4.0), ("hwang_shih_decani", 1.0), ("hwang_shih_decani", 0.0),
    ("kim_demets", 2.0),
])
def test_every_family_spends_all_alpha_at_the_end_and_rises(family: str, parameter: float | None) -> None:
    values = spent(family, 0.025, RATES, parameter=parameter)  # type: ignore[arg-type]
    assert values[-1] == pytest.approx(0.025, abs=1e-15)
    assert np.all(np.diff(values) > 0)


def test_obrien_fleming_type_by_hand() -> None:
    """alpha = 0.025 at t = 0.6: 2 (1 - Phi(z_0.9875 / sqrt(0.6))) = 0.0038080633 (rpact asOF)."""
    assert spent("obrien_fleming_spending", 0.025, np.array([0.6]))[0] == pytest.approx(
        0.0038080633109893736, abs=1e-15)
    two_sided = spent("obrien_fleming_spending", 0.05, np.array([0.5]), sided=2)[0]
    assert two_sided == pytest.approx(4 * norm.sf(norm.isf(0.05 / 4) / math.sqrt(0.5)), rel=1e-14)


def test_beta_spending_of_obrien_fleming_type_ignores_sides() -> None:
    """beta = 0.2 at t = 0.5: 2 (1 - Phi(z_0.9 / sqrt(0.5))) = 0.0699263 (rpact bsOF betaSpent[1])."""
    assert spent("obrien_fleming_spending", 0.2, np.array([0.5]), sided=2, beta=True)[0] == pytest.approx(
        0.06992632624618203, abs=1e-9)


def test_pocock_hsd_and_kd_closed_forms() -> None:
    t = np.array([0.5])
    assert spent("pocock_spending", 0.025, t)[0] == pytest.approx(0.025 * math.log(1 + (math.e - 1) * 0.5))
    assert spent("hwang_shih_decani", 0.025, t, parameter=-4.0)[0] == pytest.approx(
        0.025 * (1 - math.exp(2.0)) / (1 - math.exp(4.0)))
    assert spent("hwang_shih_decani", 0.025, t, parameter=0.0)[0] == pytest.approx(0.0125)
    assert spent("kim_demets", 0.025, t, parameter=3.0)[0] == pytest.approx(0.025 / 8)


@pytest.mark.parametrize(("rpact", "descriptive"), [
    ("asOF", "obrien_fleming_spending"), ("asP", "pocock_spending"), ("asHSD", "hwang_shih_decani"),
    ("asKD", "kim_demets"), ("OF", "obrien_fleming"), ("P", "pocock"), ("WT", "wang_tsiatis"),
])
def test_rpact_and_descriptive_alpha_names_agree(rpact: str, descriptive: str) -> None:
    assert canonical_alpha_spending(rpact) == canonical_alpha_spending(descriptive) == descriptive


def test_beta_names_and_unknown_names() -> None:
    assert canonical_beta_spending("bsHSD") == "hwang_shih_decani"
    with pytest.raises(InputError, match="beta_spending"):
        canonical_beta_spending("OF")
    with pytest.raises(InputError, match="spending: is not a known family"):
        canonical_alpha_spending("obf")


def test_parameters_are_required_and_checked() -> None:
    assert check_parameter("pocock_spending", 3.0, "spending_parameter") is None
    with pytest.raises(InputError, match="gamma"):
        check_parameter("hwang_shih_decani", None, "spending_parameter")
    with pytest.raises(InputError, match="rho"):
        check_parameter("kim_demets", -1.0, "spending_parameter")
    assert wang_tsiatis_delta("obrien_fleming", None) == 0.0
    assert wang_tsiatis_delta("wang_tsiatis", 0.25) == 0.25
    assert wang_tsiatis_delta("pocock_spending", None) is None
