"""Scenarios from the protocol: what the protocol fixes is read from it; RESORT's named scenarios."""

from __future__ import annotations

import math

import pytest

from trialdesk.design import group_sequential
from trialdesk.errors import InputError
from trialdesk.protocol import load_protocol
from trialdesk.simulate.presets import (
    analytic_power,
    design_hazard_ratio,
    protocol_design,
    resort_scenario,
)


def test_the_protocol_fixes_arms_randomisation_schedule_and_bounds() -> None:
    protocol = load_protocol("resort")
    scenario = resort_scenario("published", protocol=protocol)
    assert [a.code for a in scenario.arms] == ["observation", "sorafenib"]  # control first
    sorafenib = scenario.arms[1]
    assert (sorafenib.daily_dose_mg, sorafenib.max_duration_weeks) == (800.0, 52.0)
    assert not scenario.arms[0].treated
    assert scenario.block_sizes == (2, 4, 6)
    assert [f.name for f in scenario.strata] == ["nephrectomy_to_metastases", "disease_site", "lesions"]
    assert scenario.n_strata == 8
    assert (scenario.restaging.interval_days, scenario.restaging.window_days) == (84, 7)
    assert (scenario.accrual.patients, scenario.accrual.period_months) == (76, 60.0)
    assert [a.events for a in scenario.analyses] == [20, 40]
    design = group_sequential([0.5, 1.0], alpha=0.025, sided=1, spending="asOF")
    assert scenario.boundaries.efficacy == pytest.approx(tuple(design.critical_values), abs=1e-12)


def test_design_hazard_ratio_has_the_designs_power() -> None:
    design = protocol_design(load_protocol("resort"))
    hr = design_hazard_ratio(design, 40)
    assert analytic_power(design, hr, 40) == pytest.approx(0.8, abs=1e-9)
    assert resort_scenario("design").true_hazard_ratio == pytest.approx(hr)
    assert resort_scenario("null").true_hazard_ratio == 1.0
    # Schoenfeld: 40 events detect log HR = 2 (z_.975 + z_.8) sqrt(inflation / 40)
    assert math.log(hr) == pytest.approx(-2 * design.drift / math.sqrt(40), rel=1e-12)


def test_unknown_scenario_names_the_choices() -> None:
    with pytest.raises(InputError, match="published, null, design"):
        resort_scenario("optimistic")


def test_weibull_arms_on_request() -> None:
    from trialdesk.simulate.event_time_models import Weibull

    scenario = resort_scenario("published", family="weibull")
    assert all(isinstance(arm.rfs, Weibull) for arm in scenario.arms)
    assert abs(scenario.arms[1].rfs.median() - 29.0) < 1.0
