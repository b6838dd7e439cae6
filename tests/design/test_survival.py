"""Survival sample size and power: Schoenfeld by hand, the three accrual modes, invariants.

rpact's numbers for these functions are compared in tests/reference/test_design_reference.py
(and, live, in tests/reference/test_r_live_design.py).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import norm

from trialdesk.design import group_sequential, survival_power, survival_sample_size
from trialdesk.errors import InputError

CONTRACT = {"hazard_ratio": 0.6, "median_control": 24.0, "accrual_time": 60.0, "follow_up_time": 24.0}


def _schoenfeld(hazard_ratio: float, ratio: float = 1.0, alpha: float = 0.025, power: float = 0.8) -> float:
    z_sum = norm.isf(alpha) + norm.isf(1 - power)
    return z_sum**2 * (1 + ratio) ** 2 / (ratio * math.log(hazard_ratio) ** 2)


def test_contract_call_gives_schoenfeld_events() -> None:
    ss = survival_sample_size(hazard_ratio=0.6, median_control=24.0, accrual_time=60.0,
                              follow_up_time=24.0, alpha=0.025, power=0.8, allocation_ratio=1.0,
                              dropout_rate=0.0, design=None)
    assert ss.events == pytest.approx(_schoenfeld(0.6), rel=1e-12)
    assert ss.events == pytest.approx(120.3157, abs=1e-4)  # 4 x 7.848880 / 0.2609428
    assert ss.subjects * ss.event_probability == pytest.approx(ss.events, rel=1e-12)
    np.testing.assert_allclose(ss.events_per_stage, [ss.events])
    np.testing.assert_allclose(ss.analysis_times, [84.0])


def test_allocation_ratio_scales_events_by_schoenfeld() -> None:
    ss = survival_sample_size(**CONTRACT, allocation_ratio=2.0)
    assert ss.events == pytest.approx(_schoenfeld(0.6, 2.0), rel=1e-12)
    assert ss.subjects_treatment == pytest.approx(2 * ss.subjects_control)


def test_group_sequential_inflates_events_and_times_the_interim() -> None:
    design = group_sequential([0.5, 1.0])
    ss = survival_sample_size(**CONTRACT, design=design)
    assert ss.events == pytest.approx(_schoenfeld(0.6) * design.inflation_factor, rel=1e-12)
    assert ss.events_fixed == pytest.approx(_schoenfeld(0.6), rel=1e-12)
    assert ss.events_per_stage[0] == pytest.approx(ss.events / 2)
    assert 0 < ss.analysis_times[0] < ss.analysis_times[1] == pytest.approx(84.0)
    assert ss.power == pytest.approx(0.8, abs=1e-9)
    assert ss.expected_events_h1 < ss.expected_events_h01 < ss.expected_events_h0 < ss.events


def test_the_three_accrual_modes_agree() -> None:
    base = survival_sample_size(**CONTRACT)
    by_rate = survival_sample_size(hazard_ratio=0.6, median_control=24.0, accrual_rate=base.accrual_rate,
                                   follow_up_time=24.0)
    by_time_and_rate = survival_sample_size(hazard_ratio=0.6, median_control=24.0, accrual_time=60.0,
                                            accrual_rate=base.accrual_rate)
    assert by_rate.accrual_time == pytest.approx(60.0, rel=1e-9)
    assert by_time_and_rate.follow_up_time == pytest.approx(24.0, rel=1e-9)
    assert by_rate.subjects == pytest.approx(base.subjects, rel=1e-9)


def test_dropout_and_hazard_input_forms() -> None:
    base = survival_sample_size(**CONTRACT)
    with_dropout = survival_sample_size(**CONTRACT, dropout_rate=0.1)
    assert with_dropout.events == pytest.approx(base.events)
    assert with_dropout.subjects > base.subjects
    by_hazard = survival_sample_size(hazard_ratio=0.6, hazard_control=math.log(2) / 24, accrual_time=60.0,
                                     follow_up_time=24.0)
    assert by_hazard.subjects == pytest.approx(base.subjects, rel=1e-12)
    assert by_hazard.median_treatment == pytest.approx(40.0)


def test_power_for_the_planned_patients_is_the_planned_power() -> None:
    design = group_sequential([0.5, 1.0], beta_spending="bsOF")
    ss = survival_sample_size(**CONTRACT, design=design)
    power = survival_power(hazard_ratio=0.6, median_control=24.0, subjects=ss.subjects, accrual_time=60.0,
                           follow_up_time=24.0, design=design)
    assert power.events == pytest.approx(ss.events, rel=1e-9)
    assert power.power == pytest.approx(0.8, abs=1e-8)
    harmful = survival_power(hazard_ratio=1 / 0.6, median_control=24.0, subjects=ss.subjects,
                             accrual_time=60.0, follow_up_time=24.0, design=design)
    assert harmful.power < 0.025


def test_fixed_power_closed_form() -> None:
    """Phi(sqrt(E / 4) |log HR| - z_0.975) with E the events given."""
    power = survival_power(hazard_ratio=0.7, median_control=12.0, subjects=300, accrual_time=24.0,
                           follow_up_time=12.0, events=150.0)
    assert power.power == pytest.approx(norm.cdf(math.sqrt(150 / 4) * -math.log(0.7) - norm.isf(0.025)),
                                        abs=1e-10)
    assert power.analysis_times[-1] == pytest.approx(24.0 + power.follow_up_time)


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"hazard_ratio": 1.0}, "hazard_ratio"),
    ({"median_control": None}, "median_control"),
    ({"hazard_control": 0.1}, "median_control"),
    ({"accrual_rate": 3.0}, "accrual_time"),
    ({"alpha": 0.05, "design": group_sequential([0.5, 1.0])}, "alpha"),
])
def test_bad_inputs_name_the_argument(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(InputError) as raised:
        survival_sample_size(**{**CONTRACT, **kwargs})  # type: ignore[arg-type]
    assert raised.value.field == field


def test_summary_reads_per_look() -> None:
    table = survival_sample_size(**CONTRACT, design=group_sequential([0.5, 1.0])).summary()
    assert table.n_rows == 2
    assert list(table.columns)[:4] == ["Stage", "Information rate", "Events", "Analysis time"]


def test_resort_worked_example() -> None:
    """docs/design.md#worked-example-resort: 59% relapse-free at 24 months, two asOF looks."""
    hazard_control = -math.log(0.59) / 24.0
    design = group_sequential([0.5, 1.0], alpha=0.025, beta=0.2, spending="asOF")
    plans = {hr: survival_sample_size(hazard_ratio=hr, hazard_control=hazard_control, accrual_time=60.0,
                                      follow_up_time=24.0, design=design) for hr in (0.6, 0.7)}
    assert [round(plans[0.6].events, 1), round(plans[0.6].subjects, 1)] == [120.8, 206.6]
    assert [round(plans[0.7].events, 1), round(plans[0.7].subjects, 1)] == [247.7, 405.7]
    assert round(plans[0.6].analysis_times[0], 1) == 51.7
    assert round(plans[0.6].median_control, 1) == 31.5
