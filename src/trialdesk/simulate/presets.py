"""Scenarios built from a protocol, and RESORT's named scenarios.

``scenario_from_protocol`` reads what a protocol fixes (arms, doses, allocation ratio, block
sizes, stratification factors with planned prevalences, restaging interval and window,
enrolment, interim plan) and adds what only a scenario says (event-time models, planned
events, death, dropout, screening failures, adverse-event rates). The design's boundaries
come from ``trialdesk.design.group_sequential`` at the interim plan's information fractions.

RESORT's scenarios (``resort_scenario``), docs/simulate.md#resort:

- ``published``: each arm calibrated to its reported medians and 12/24-month RFS rates;
- ``null``: both arms follow the calibrated observation arm (HR = 1, for the type I error);
- ``design``: the sorafenib arm is the observation arm with the hazard ratio the design
  detects with power 1 - beta at the planned events (or the one given).

Planning assumptions (the report is silent): final analysis at ``RESORT_PLANNED_EVENTS``
RFS events or at the end of follow-up, 60 months of follow-up after accrual, a death
without relapse hazard of 0.002/month, dropout 0.004/month, and grade >= 3 AE rates of 22%
and 3% as reported.
"""

from __future__ import annotations

import logging
import math
from typing import Literal

import numpy as np

from trialdesk.design import GroupSequentialDesign, group_sequential, hazard_ratio_estimate
from trialdesk.errors import InputError
from trialdesk.protocol import Protocol, load_protocol
from trialdesk.simulate.calibration import ModelFamily, calibrate, resort_published
from trialdesk.simulate.event_time_models import EventTimeModel
from trialdesk.simulate.scenario import (
    Accrual,
    AnalysisTiming,
    ArmScenario,
    Boundaries,
    RestagingSchedule,
    Scenario,
    StratificationFactor,
)

__all__ = [
    "RESORT_PLANNED_EVENTS",
    "RESORT_SCENARIOS",
    "analytic_power",
    "design_hazard_ratio",
    "protocol_design",
    "resort_scenario",
    "scenario_from_protocol",
]

logger = logging.getLogger(__name__)

#: Planning assumption: RFS events at RESORT's final analysis.
RESORT_PLANNED_EVENTS = 40
RESORT_SCENARIOS: tuple[str, ...] = ("published", "null", "design")
ScenarioName = Literal["published", "null", "design"]


def protocol_design(protocol: Protocol, *, beta: float = 0.2) -> GroupSequentialDesign:
    """The group-sequential design of the protocol's interim plan (one look without one)."""
    interim = protocol.interim
    if interim is None:
        return group_sequential([1.0], alpha=0.025, beta=beta, sided=1)
    if interim.information_fraction is not None:
        rates = list(interim.information_fraction)
    else:
        rates = [events / interim.events[-1] for events in interim.events]
    return group_sequential(rates, alpha=interim.alpha, beta=interim.beta or beta, sided=interim.sided,
                            spending=interim.spending, beta_spending=interim.beta_spending,
                            binding=interim.binding_futility)


def design_hazard_ratio(design: GroupSequentialDesign, events: float) -> float:
    """The HR (< 1) a 1:1 design detects with power 1 - beta at ``events``: exp(-drift / sqrt(D/4))."""
    return hazard_ratio_estimate(design.drift, events)


def analytic_power(design: GroupSequentialDesign, hazard_ratio: float, events: float) -> float:
    """The design's probability of crossing an efficacy bound, 1:1, drift -log(HR) sqrt(D/4)."""
    upper, _ = design.stopping_probabilities(-math.log(hazard_ratio) * math.sqrt(events / 4.0))
    return float(np.sum(upper))


def _analyses(protocol: Protocol, events: int) -> tuple[AnalysisTiming, ...]:
    interim = protocol.interim
    if interim is None:
        return (AnalysisTiming(events=events),)
    if interim.events is not None:
        return tuple(AnalysisTiming(events=e) for e in interim.events)
    return tuple(AnalysisTiming(events=round(f * events)) for f in interim.information_fraction)


def scenario_from_protocol(protocol: Protocol, models: dict[str, EventTimeModel], *, name: str,
                           events: int, control: str, grade3_ae_rates: dict[str, float],
                           screen_failure_rate: float = 0.0, death_hazard: float = 0.0,
                           dropout_hazard: float = 0.0, max_follow_up_months: float = 60.0,
                           true_hazard_ratio: float | None = None) -> Scenario:
    """A two-arm scenario: the protocol's trial with the given event-time models (months).

    ``control`` names the reference arm (it becomes ``arms[0]``); ``events`` is the number of
    RFS events at the final analysis, the interim plan's fractions of it set the interims.
    """
    order = sorted(range(len(protocol.arms)), key=lambda k: protocol.arms[k].code != control)
    if len(order) != 2 or protocol.arms[order[0]].code != control:
        raise InputError("must name one of two arms", field="control", value=control)
    arms = tuple(ArmScenario(code=protocol.arms[k].code, rfs=models[protocol.arms[k].code],
                             daily_dose_mg=protocol.arms[k].daily_dose_mg or 0.0,
                             max_duration_weeks=protocol.arms[k].max_duration_weeks or 0.0,
                             grade3_ae_rate=grade3_ae_rates.get(protocol.arms[k].code, 0.0))
                 for k in order)
    enrolment = protocol.enrolment
    if enrolment is None or enrolment.accrual_months is None:
        raise InputError("needs planned_patients and accrual_months", field="enrolment")
    design = protocol_design(protocol)
    schedule = protocol.visit_schedule
    return Scenario(
        name=name, protocol_id=protocol.id, arms=arms,
        accrual=Accrual(enrolment.accrual_months, patients=enrolment.planned_patients),
        analyses=_analyses(protocol, events),
        boundaries=Boundaries.from_design(design, alpha=design.alpha),
        allocation_ratio=tuple(protocol.allocation_ratio[k] for k in order),
        block_sizes=tuple(protocol.randomisation.block_sizes) or (sum(protocol.allocation_ratio),),
        strata=tuple(StratificationFactor(f.name, tuple(f.levels), f.level_probabilities)
                     for f in protocol.stratification_factors),
        screen_failure_rate=screen_failure_rate, death_hazard=death_hazard,
        dropout_hazard=dropout_hazard,
        restaging=RestagingSchedule(schedule.restaging_interval_weeks, schedule.window_days,
                                     schedule.first_restaging_weeks),
        max_follow_up_months=max_follow_up_months,
        landmarks=tuple(protocol.analysis.landmark_months) or (12.0, 24.0),
        true_hazard_ratio=true_hazard_ratio)


def resort_scenario(name: ScenarioName = "published", *, hazard_ratio: float | None = None,
                    events: int = RESORT_PLANNED_EVENTS, protocol: Protocol | None = None,
                    family: ModelFamily = "piecewise") -> Scenario:
    """One of RESORT's scenarios (``published``, ``null``, ``design``; see the module doc).

    ``hazard_ratio`` (sorafenib vs observation) overrides the design's HR for ``design``;
    ``family`` chooses the calibrated arms' model (piecewise exponential or Weibull).
    """
    if name not in RESORT_SCENARIOS:
        raise InputError("is not a RESORT scenario", field="scenario", value=name,
                         hint=f"choose one of {', '.join(RESORT_SCENARIOS)}")
    protocol = protocol or load_protocol("resort")
    published = resort_published()
    observation = calibrate(published["observation"], family=family).model
    true_hazard_ratio: float | None = None
    if name == "published":
        sorafenib = calibrate(published["sorafenib"], family=family).model
    else:
        true_hazard_ratio = 1.0 if name == "null" else (
            hazard_ratio or design_hazard_ratio(protocol_design(protocol), events))
        sorafenib = observation.with_hazard_ratio(true_hazard_ratio)
    return scenario_from_protocol(
        protocol, {"sorafenib": sorafenib, "observation": observation}, name=f"resort-{name}",
        events=events, control="observation", grade3_ae_rates={"sorafenib": 0.22, "observation": 0.03},
        screen_failure_rate=6 / 82, death_hazard=0.002, dropout_hazard=0.004,
        true_hazard_ratio=true_hazard_ratio)
