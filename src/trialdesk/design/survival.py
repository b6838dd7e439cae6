"""Events, patients, timing and power of a two-arm time-to-event trial.

Matches R: ``rpact::getSampleSizeSurvival`` and ``getPowerSurvival`` with Schoenfeld's
formula, uniform accrual and (piecewise) exponential survival (docs/design.md#sample-size).

- Events (Schoenfeld): D = (z_{1-alpha/sided} + z_{1-beta})^2 (1 + r)^2 / (r log(HR)^2) x the
  design's inflation factor, r = allocation ratio (treatment : control). Not rounded.
- Patients: N = D / P(event by the end), with P from the accrual and event-time integral of
  ``_timeline``; or, given the accrual rate, the accrual time that observes D events; or,
  given accrual time and rate, the follow-up that does.
- Looks: look k is due when the expected events reach D t_k; its calendar time counts from
  the start of accrual.
- Power for given patients: with I = D r/(1 + r)^2 and drift -log(HR) sqrt(I), the design's
  probability of crossing an efficacy bound (z > 0 favours treatment, HR < 1).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq

from trialdesk.design._arrays import FloatArray, frozen
from trialdesk.design._timeline import PiecewiseExponential, Timeline, dropout_hazard
from trialdesk.design.group_sequential import GroupSequentialDesign, group_sequential
from trialdesk.errors import InputError
from trialdesk.table import Table

__all__ = ["SurvivalPlan", "survival_power", "survival_sample_size"]

logger = logging.getLogger(__name__)

@dataclass(frozen=True, slots=True)
class SurvivalPlan:
    """A planned time-to-event trial: events, patients and timing of each look, and power.

    Counts are expectations, not rounded; times are in the unit of the median or hazard
    (calendar time from the start of accrual). Group 1 is treatment, group 2 control
    (rpact's numbering); ``hazard_ratio`` is treatment / control.

    Attributes
    ----------
    design
        The group-sequential design (a one-look design for a fixed sample).
    hazard_ratio, allocation_ratio
        Treatment / control hazard ratio and the treatment : control allocation ratio.
    piecewise_times, hazard_control, hazard_treatment
        Start of each hazard piece and the hazards per time unit in each arm.
    median_control, median_treatment
        Median survival time in each arm.
    dropout_rate, dropout_time
        Fraction lost to follow-up by ``dropout_time`` in each arm (exponential dropout).
    accrual_time, accrual_rate, follow_up_time
        Accrual period, patients per time unit, follow-up after the end of accrual.
    events, subjects
        Events at the final analysis and patients enrolled (rpact's maxNumberOfEvents,
        maxNumberOfSubjects).
    subjects_treatment, subjects_control
        Patients per arm.
    event_probability, event_probability_treatment, event_probability_control
        Probability that a patient (of the trial, of each arm) has an observed event by the
        final analysis (rpact's omega and ``getEventProbabilities``).
    events_fixed, subjects_fixed
        What a fixed (one-look) design with the same errors needs.
    events_per_stage, analysis_times, subjects_per_stage
        (K,) cumulative events at each look, its calendar time, and patients enrolled by then.
    critical_hazard_ratios
        (K,) efficacy bounds on the hazard-ratio scale: reject when the estimated HR <= bound,
        exp(-c_k (1 + r) / sqrt(r D_k)).
    power, rejection_probabilities, futility_probabilities
        Overall power, and stage-wise efficacy and futility stopping probabilities at the
        plan's hazard ratio.
    expected_events_h0, expected_events_h01, expected_events_h1
        Expected events at stopping under H0, half the effect (log scale) and the effect.
    expected_subjects_h1, expected_duration_h1
        Expected patients enrolled and calendar time at stopping under the effect.
    """

    design: GroupSequentialDesign
    hazard_ratio: float
    allocation_ratio: float
    piecewise_times: FloatArray
    hazard_control: FloatArray
    hazard_treatment: FloatArray
    median_control: float
    median_treatment: float
    dropout_rate: float
    dropout_time: float
    accrual_time: float
    accrual_rate: float
    follow_up_time: float
    events: float
    subjects: float
    subjects_treatment: float
    subjects_control: float
    event_probability: float
    event_probability_treatment: float
    event_probability_control: float
    events_fixed: float
    subjects_fixed: float
    events_per_stage: FloatArray
    analysis_times: FloatArray
    subjects_per_stage: FloatArray
    critical_hazard_ratios: FloatArray
    power: float
    rejection_probabilities: FloatArray
    futility_probabilities: FloatArray
    expected_events_h0: float
    expected_events_h01: float
    expected_events_h1: float
    expected_subjects_h1: float
    expected_duration_h1: float

    @property
    def dropout_hazard(self) -> float:
        """Exponential dropout hazard per time unit: -log(1 - dropout_rate) / dropout_time."""
        return dropout_hazard(self.dropout_rate, self.dropout_time)

    @property
    def early_stop(self) -> float:
        """Probability of stopping at an interim look (efficacy or futility) at the plan's effect."""
        return float(self.rejection_probabilities[:-1].sum() + self.futility_probabilities.sum())

    @property
    def information(self) -> float:
        """Statistical information at the final analysis: events r / (1 + r)^2."""
        r = self.allocation_ratio
        return self.events * r / (1.0 + r) ** 2

    def summary(self) -> Table:
        """One row per look: information rate, events, time, patients and the boundaries."""
        d = self.design
        return Table({
            "Stage": np.arange(1, d.n_looks + 1),
            "Information rate": d.information_rates,
            "Events": self.events_per_stage,
            "Analysis time": self.analysis_times,
            "Subjects": self.subjects_per_stage,
            "Efficacy boundary (z)": d.critical_values,
            "Efficacy boundary (HR)": self.critical_hazard_ratios,
            "Futility boundary (z)": d.futility_by_look(),
            "Rejection probability": self.rejection_probabilities,
        }, title=(f"HR {self.hazard_ratio:g}, median control {self.median_control:.4g}: "
                  f"{self.events:.1f} events, {self.subjects:.1f} subjects, power {self.power:.4f}"))

    def _repr_html_(self) -> str:
        return self.summary().to_html()


def _control_hazard(median_control: float | None, hazard_control: float | Sequence[float] | None,
                    piecewise_times: Sequence[float] | None) -> PiecewiseExponential:
    if (median_control is None) == (hazard_control is None):
        raise InputError("give exactly one of median_control and hazard_control",
                         field="median_control", value=median_control)
    if median_control is not None:
        if not median_control > 0:
            raise InputError("must be > 0", field="median_control", value=median_control)
        return PiecewiseExponential.from_inputs(math.log(2.0) / median_control, None)
    hazards = [hazard_control] if np.isscalar(hazard_control) else list(hazard_control)  # type: ignore[arg-type]
    times = None if piecewise_times is None else list(piecewise_times)
    return PiecewiseExponential.from_inputs(hazards, times)


def _check_effect(hazard_ratio: float, allocation_ratio: float) -> None:
    if not (hazard_ratio > 0 and math.isfinite(hazard_ratio)) or hazard_ratio == 1:
        raise InputError("must be positive and not 1", field="hazard_ratio", value=hazard_ratio)
    if not allocation_ratio > 0:
        raise InputError("must be > 0", field="allocation_ratio", value=allocation_ratio)


def _plan(design: GroupSequentialDesign, timeline: Timeline, events: float, follow_up_time: float,
          dropout: tuple[float, float]) -> SurvivalPlan:
    """Everything that follows from the design, the accrual/event model and the final events."""
    r = timeline.allocation_ratio
    log_hr = math.log(timeline.hazard_ratio)
    information_per_event = r / (1.0 + r) ** 2
    drift = -log_hr * math.sqrt(events * information_per_event)
    events_per_stage = events * design.information_rates
    times = np.array([timeline.time_of(e) for e in events_per_stage[:-1]]
                     + [timeline.accrual_time + follow_up_time])
    subjects_per_stage = timeline.subjects_by(times)

    at_effect = design.ending_probabilities(drift)
    upper, lower = design.stopping_probabilities(drift)
    events_fixed = design.fixed_information / (information_per_event * log_hr**2)
    treatment_share = r / (1.0 + r)
    overall_probability, treatment_probability, control_probability = timeline.event_probabilities(
        timeline.accrual_time + follow_up_time)
    subjects = timeline.subjects
    return SurvivalPlan(
        design=design, hazard_ratio=timeline.hazard_ratio, allocation_ratio=r,
        piecewise_times=frozen(timeline.control.starts),
        hazard_control=frozen(timeline.control.hazards),
        hazard_treatment=frozen(timeline.control.hazards * timeline.hazard_ratio),
        median_control=timeline.control.median(),
        median_treatment=timeline.control.scaled(timeline.hazard_ratio).median(),
        dropout_rate=dropout[0], dropout_time=dropout[1], accrual_time=timeline.accrual_time,
        accrual_rate=timeline.accrual_rate, follow_up_time=follow_up_time, events=float(events),
        subjects=subjects, subjects_treatment=subjects * treatment_share,
        subjects_control=subjects * (1.0 - treatment_share), event_probability=overall_probability,
        event_probability_treatment=treatment_probability, event_probability_control=control_probability,
        events_fixed=float(events_fixed), subjects_fixed=float(events_fixed / overall_probability),
        events_per_stage=frozen(events_per_stage), analysis_times=frozen(times),
        subjects_per_stage=frozen(subjects_per_stage),
        critical_hazard_ratios=frozen(np.exp(-design.critical_values
                                              / np.sqrt(events_per_stage * information_per_event))),
        power=float(upper.sum()), rejection_probabilities=upper,
        futility_probabilities=frozen(lower[:-1] if design.sided == 1 else np.zeros(design.n_looks - 1)),
        expected_events_h0=float(design.ending_probabilities(0.0) @ events_per_stage),
        expected_events_h01=float(design.ending_probabilities(drift / 2.0) @ events_per_stage),
        expected_events_h1=float(at_effect @ events_per_stage),
        expected_subjects_h1=float(at_effect @ subjects_per_stage),
        expected_duration_h1=float(at_effect @ times))


def _design_or_fixed(design: GroupSequentialDesign | None, alpha: float | None,
                     power: float | None, sided: int) -> GroupSequentialDesign:
    if design is None:
        return group_sequential([1.0], alpha=0.025 if alpha is None else alpha,
                                beta=1.0 - (0.8 if power is None else power), sided=sided)
    if alpha is not None and not math.isclose(alpha, design.alpha):
        raise InputError("differs from the design's alpha", field="alpha", value=alpha,
                         hint=f"leave it out or build the design with alpha={alpha}")
    if power is not None and not math.isclose(power, 1.0 - design.beta):
        raise InputError("differs from the design's power", field="power", value=power,
                         hint=f"leave it out or build the design with beta={1 - power:g}")
    return design


def survival_sample_size(
    *,
    hazard_ratio: float,
    median_control: float | None = None,
    hazard_control: float | Sequence[float] | None = None,
    piecewise_times: Sequence[float] | None = None,
    accrual_time: float | None = None,
    accrual_rate: float | None = None,
    follow_up_time: float | None = None,
    alpha: float | None = None,
    power: float | None = None,
    sided: int = 1,
    allocation_ratio: float = 1.0,
    dropout_rate: float = 0.0,
    dropout_time: float = 12.0,
    design: GroupSequentialDesign | None = None,
) -> SurvivalPlan:
    """Events (Schoenfeld) and patients for a time-to-event trial.

    Matches R: ``rpact::getSampleSizeSurvival(design, hazardRatio, lambda2 = log(2) / median,
    accrualTime = c(0, A), followUpTime = F, allocationRatioPlanned = r)``.

    Parameters
    ----------
    hazard_ratio
        Treatment / control hazard ratio to detect.
    median_control, hazard_control, piecewise_times
        The control arm's survival: a median (exponential), or hazards per time unit, one per
        piece starting at ``piecewise_times`` (first 0; None for one piece).
    accrual_time, accrual_rate, follow_up_time
        Exactly two of: accrual period, patients per time unit, follow-up after accrual ends.
        The third is solved for.
    alpha, power, sided
        Errors of the fixed design built when ``design`` is None (default 0.025, 0.8,
        one-sided); with a design, leave them out or give the design's own.
    allocation_ratio
        Treatment : control patients (rpact's ``allocationRatioPlanned``).
    dropout_rate, dropout_time
        Fraction lost to follow-up by ``dropout_time`` in each arm (exponential dropout).
    design
        A group-sequential design; None for one final analysis.

    Returns
    -------
    SurvivalPlan

    Examples
    --------
    >>> ss = survival_sample_size(hazard_ratio=0.65, median_control=18.0, accrual_time=36.0,
    ...                           follow_up_time=12.0)
    >>> round(ss.events, 2), round(ss.subjects, 2)
    (169.18, 288.92)
    """
    _check_effect(hazard_ratio, allocation_ratio)
    design = _design_or_fixed(design, alpha, power, sided)
    control = _control_hazard(median_control, hazard_control, piecewise_times)
    r = allocation_ratio
    events = design.max_information * (1.0 + r) ** 2 / (r * math.log(hazard_ratio) ** 2)
    given = {name: value for name, value in (("accrual_time", accrual_time), ("accrual_rate", accrual_rate),
                                             ("follow_up_time", follow_up_time)) if value is not None}
    if len(given) != 2:
        raise InputError("give exactly two of accrual_time, accrual_rate and follow_up_time",
                         field="accrual_time", value=sorted(given))
    for name, value in given.items():
        if not (math.isfinite(value) and value >= (0 if name == "follow_up_time" else 1e-12)):
            raise InputError("must be finite and positive", field=name, value=value)
    dropout = dropout_hazard(dropout_rate, dropout_time)

    def timeline(time: float, rate: float) -> Timeline:
        return Timeline(control, hazard_ratio, r, dropout, time, rate)

    if accrual_rate is None:
        probability = timeline(accrual_time, 1.0).event_probabilities(accrual_time + follow_up_time)[0]
        accrual_rate = events / probability / accrual_time
    elif accrual_time is None:
        accrual_time = float(brentq(
            lambda a: float(timeline(a, accrual_rate).expected_events(a + follow_up_time)) - events,
            1e-9, _upper_bracket(lambda a: float(timeline(a, accrual_rate).expected_events(
                a + follow_up_time)) - events), xtol=1e-12, rtol=1e-15))
    else:
        trial = timeline(accrual_time, accrual_rate)
        if float(trial.expected_events(accrual_time)) >= events:
            raise InputError("observes the events before accrual ends", field="accrual_rate",
                             value=accrual_rate, hint="shorten the accrual time or lower the rate")
        follow_up_time = trial.time_of(events) - accrual_time
    plan = _plan(design, timeline(accrual_time, accrual_rate), events, follow_up_time,
                 (dropout_rate, dropout_time))
    logger.info("sample size: %.2f events, %.2f subjects", plan.events, plan.subjects)
    return plan


def _upper_bracket(excess: Callable[[float], float]) -> float:
    """A value where the increasing function ``excess`` is positive (doubling from 1)."""
    high = 1.0
    while excess(high) <= 0:
        high *= 2.0
        if high > 1e9:
            raise InputError("no accrual time observes the events", field="accrual_rate")
    return high


def survival_power(
    *,
    hazard_ratio: float,
    subjects: float,
    accrual_time: float,
    follow_up_time: float,
    median_control: float | None = None,
    hazard_control: float | Sequence[float] | None = None,
    piecewise_times: Sequence[float] | None = None,
    events: float | None = None,
    alpha: float | None = None,
    sided: int = 1,
    allocation_ratio: float = 1.0,
    dropout_rate: float = 0.0,
    dropout_time: float = 12.0,
    design: GroupSequentialDesign | None = None,
) -> SurvivalPlan:
    """Power of a time-to-event trial with a given number of patients.

    Matches R: ``rpact::getPowerSurvival(design, hazardRatio, lambda2, accrualTime = c(0, A),
    maxNumberOfSubjects = N, maxNumberOfEvents = D, directionUpper = FALSE)`` for HR < 1.

    ``events`` defaults to the expected number at the end of follow-up (accrual_time +
    follow_up_time); when given, the final analysis is at the calendar time those events are
    expected. Power is the probability of crossing an efficacy bound in favour of
    treatment (z > 0, HR < 1); for HR > 1 it is below alpha.

    Examples
    --------
    >>> p = survival_power(hazard_ratio=0.65, median_control=18.0, subjects=120,
    ...                    accrual_time=36.0, follow_up_time=12.0)
    >>> round(p.power, 4)
    0.4386
    """
    _check_effect(hazard_ratio, allocation_ratio)
    design = _design_or_fixed(design, alpha, None, sided)
    if not (subjects > 0 and accrual_time > 0 and follow_up_time >= 0):
        raise InputError("subjects and accrual_time must be > 0, follow_up_time >= 0",
                         field="subjects", value=subjects)
    control = _control_hazard(median_control, hazard_control, piecewise_times)
    timeline = Timeline(control, hazard_ratio, allocation_ratio,
                        dropout_hazard(dropout_rate, dropout_time), accrual_time,
                        subjects / accrual_time)
    if events is None:
        events = float(timeline.expected_events(accrual_time + follow_up_time))
    else:
        follow_up_time = timeline.time_of(events) - accrual_time
        if follow_up_time < 0:
            raise InputError("are expected before accrual ends", field="events", value=events,
                             hint="plan the final analysis after the last patient is enrolled")
    return _plan(design, timeline, events, follow_up_time, (dropout_rate, dropout_time))
