"""Interim monitoring: conditional and predictive power, repeated CIs and p-values, the decision.

Matches R: ``rpact::getConditionalPower``, ``getAnalysisResults`` (repeated confidence
intervals and p-values) and ``getTestActions`` for survival data with a group-sequential
design (docs/design.md#interim-monitoring).

Sign convention: ``z`` is the log-rank z statistic with z > 0 favouring treatment (HR < 1);
rpact with ``directionUpper = FALSE`` takes the same number with the opposite sign. The
information at a look with D events is D r / (1 + r)^2 (r = allocation ratio, treatment :
control) and the hazard ratio estimate is exp(-z / sqrt(information)).

Information at look j is ``events_planned * information_rates[j] * r / (1 + r)^2``: pass a
design whose rates are the observed ones up to the current look (``interim_decision`` does,
recomputing the boundaries at the observed information fraction). rpact instead weights
the looks by the design's planned rates; the two agree when the interim falls at its planned
fraction.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.polynomial.hermite_e import hermegauss

from trialdesk.design._boundaries import bracketed_root
from trialdesk.design._integration import crossing_probabilities
from trialdesk.design.group_sequential import GroupSequentialDesign, efficacy_bounds
from trialdesk.errors import InputError
from trialdesk.table import Table

__all__ = [
    "InterimDecision",
    "conditional_power",
    "hazard_ratio_estimate",
    "interim_decision",
    "predictive_power",
    "repeated_confidence_interval",
    "repeated_p_value",
]

logger = logging.getLogger(__name__)

Decision = Literal["continue", "stop_for_efficacy", "stop_for_futility"]
_HERMITE_NODES, _HERMITE_WEIGHTS = hermegauss(48)


def _information(events: np.ndarray | float, allocation_ratio: float) -> np.ndarray:
    return np.asarray(events, dtype=float) * allocation_ratio / (1.0 + allocation_ratio) ** 2


def hazard_ratio_estimate(z: float, events: float, *, allocation_ratio: float = 1.0) -> float:
    """The hazard ratio a log-rank z implies: exp(-z (1 + r) / sqrt(r events)) (rpact's effect size)."""
    return math.exp(-z / math.sqrt(float(_information(events, allocation_ratio))))


def _check_stage(design: GroupSequentialDesign, stage: int) -> int:
    if not 1 <= stage <= design.n_looks:
        raise InputError(f"must be a look of the design (1 to {design.n_looks})", field="stage",
                         value=stage)
    return stage - 1


def conditional_power(design: GroupSequentialDesign, z: float, *, stage: int, events_planned: float,
                      hazard_ratio: float, allocation_ratio: float = 1.0) -> float:
    """Probability of crossing an efficacy bound at a later look, given z at look ``stage``.

    Matches R: ``getConditionalPower(getStageResults(design, dataInput = getDataset(
    cumulativeEvents = D_k, cumulativeLogRanks = -z), stage, directionUpper = FALSE),
    nPlanned = D_K - D_k, thetaH1 = hazard_ratio)``, last element.

    Parameters
    ----------
    design
        The design, with the observed information rates up to ``stage``.
    z
        Log-rank z at look ``stage`` (> 0 favours treatment).
    stage
        The current look, 1-based.
    events_planned
        Events planned for the final analysis (information rates refer to it).
    hazard_ratio
        The treatment effect assumed for the rest of the trial: the planned one, the interim
        estimate, or 1 for the conditional rejection probability under H0.
    allocation_ratio
        Treatment : control.

    Notes
    -----
    The later looks keep their futility bounds (a trial stopped for futility does not
    succeed), as rpact does; 0 at the last look.
    """
    k = _check_stage(design, stage)
    if k == design.n_looks - 1:
        return 0.0
    information = _information(events_planned * design.information_rates, allocation_ratio)
    later = information[k + 1:] - information[k]
    score = z * math.sqrt(information[k])
    rooted = np.sqrt(information[k + 1:])
    lower = design.lower_bounds[k + 1:]
    upper, _ = crossing_probabilities((design.critical_values[k + 1:] * rooted - score) / np.sqrt(later),
                                      (lower * rooted - score) / np.sqrt(later), later,
                                      -math.log(hazard_ratio))
    return float(upper.sum())


def predictive_power(design: GroupSequentialDesign, z: float, *, stage: int, events_planned: float,
                     allocation_ratio: float = 1.0) -> float:
    """Conditional power averaged over the posterior of the log hazard ratio (flat prior).

    The posterior of theta = -log HR after look k is N(z / sqrt(I_k), 1 / I_k); the average is
    taken with 48-point Gauss-Hermite quadrature. For two looks it equals
    Phi((z sqrt(I_K) - c_K sqrt(I_k)) / sqrt(I_K - I_k)) (Spiegelhalter et al. 1986).
    """
    k = _check_stage(design, stage)
    information = float(_information(events_planned * design.information_rates[k], allocation_ratio))
    mean, sd = z / math.sqrt(information), 1.0 / math.sqrt(information)
    powers = [conditional_power(design, z, stage=stage, events_planned=events_planned,
                                hazard_ratio=math.exp(-(mean + sd * node)),
                                allocation_ratio=allocation_ratio) for node in _HERMITE_NODES]
    return float(np.dot(_HERMITE_WEIGHTS, powers) / math.sqrt(2.0 * math.pi))


def repeated_confidence_interval(design: GroupSequentialDesign, z: float, *, stage: int, events: float,
                                 allocation_ratio: float = 1.0) -> tuple[float, float]:
    """Repeated confidence interval for the hazard ratio at look ``stage`` (Jennison & Turnbull).

    exp(-(z -+ c_k) / sqrt(I_k)), with c_k the look's efficacy bound: the intervals of all
    looks cover the true HR together with probability 1 - alpha (1 - 2 alpha one-sided).
    Matches R: ``getAnalysisResults(...)$repeatedConfidenceIntervalLower/UpperBounds``.
    """
    k = _check_stage(design, stage)
    root = math.sqrt(float(_information(events, allocation_ratio)))
    bound = float(design.critical_values[k])
    return math.exp(-(z + bound) / root), math.exp(-(z - bound) / root)


def repeated_p_value(design: GroupSequentialDesign, z: float, *, stage: int) -> float:
    """The smallest alpha at which look ``stage`` would reject with this z (repeated p-value).

    The efficacy bounds are recomputed at each alpha with the design's family and rates,
    without futility bounds; values are searched in [1e-10, 0.5] (two-sided: |z|, [1e-10, 1]).
    Matches R: ``getAnalysisResults(...)$repeatedPValues``.
    """
    k = _check_stage(design, stage)
    rates = design.information_rates[:k + 1]
    statistic = abs(z) if design.sided == 2 else z
    return bracketed_root(lambda alpha: float(efficacy_bounds(
        rates, alpha, sided=design.sided, spending=design.spending,
        spending_parameter=design.spending_parameter)[k]) - statistic,
        1e-10, 0.5 * design.sided)


@dataclass(frozen=True, slots=True)
class InterimDecision:
    """What the boundaries say at an analysis. z > 0 favours treatment (HR < 1).

    Attributes
    ----------
    stage
        The look, 1-based.
    information_fraction
        Events observed / events planned.
    critical_value, futility_bound
        The efficacy and futility bounds (z) at the observed information; the futility bound
        is -inf without one, equals the critical value at the final analysis, and is minus
        the critical value in a two-sided design (there z at or below it rejects H0 in
        favour of control, reported as ``"stop_for_futility"``).
    z
        The log-rank z given.
    decision
        ``"stop_for_efficacy"`` when z >= critical value; ``"stop_for_futility"`` when z <=
        futility bound (at the final analysis: H0 not rejected); otherwise ``"continue"``.
    hazard_ratio
        The hazard ratio used as the observed effect.
    conditional_power_planned, conditional_power_observed
        Conditional power under the planned and the observed effect (nan at the final look).
    predictive_power
        Conditional power averaged over the posterior of the effect (nan at the final look).
    repeated_ci
        Repeated confidence interval for the hazard ratio.
    design
        The design recomputed at the observed information rates.
    """

    stage: int
    information_fraction: float
    critical_value: float
    futility_bound: float
    z: float
    decision: Decision
    hazard_ratio: float
    conditional_power_planned: float
    conditional_power_observed: float
    predictive_power: float
    repeated_ci: tuple[float, float]
    design: GroupSequentialDesign

    def summary(self) -> Table:
        """One row: the look, its bounds, z, the decision and the conditional powers."""
        return Table.from_rows(
            ["Stage", "Information fraction", "z", "Efficacy boundary (z)", "Futility boundary (z)",
             "Decision", "HR", "RCI lower", "RCI upper", "CP (planned)", "CP (observed)",
             "Predictive power"],
            [(self.stage, self.information_fraction, self.z, self.critical_value,
              self.futility_bound if self.futility_bound > -math.inf else math.nan, self.decision,
              self.hazard_ratio, *self.repeated_ci, self.conditional_power_planned,
              self.conditional_power_observed, self.predictive_power)],
            title="Interim decision")


def _analysis_rates(design: GroupSequentialDesign, previous: np.ndarray, events_observed: float,
                    events_planned: float) -> tuple[np.ndarray, bool]:
    """Information rates with the observed looks; and whether this look is the final analysis."""
    fraction = events_observed / events_planned
    final = fraction >= 1.0 or previous.size + 1 >= design.n_looks
    if final:
        return np.append(previous, events_observed) / events_observed, True
    later = design.information_rates[previous.size + 1:]
    later = later[later > fraction]
    return np.concatenate((previous / events_planned, [fraction], later)), False


def interim_decision(design: GroupSequentialDesign, events_observed: float, events_planned: float,
                     z: float, *, hazard_ratio_observed: float | None = None,
                     hazard_ratio_planned: float | None = None,
                     previous_events: Sequence[float] = (),
                     allocation_ratio: float = 1.0) -> InterimDecision:
    """The decision at an analysis, with boundaries recomputed at the observed information.

    Parameters
    ----------
    design
        The planned design.
    events_observed
        Events at this analysis's data cut-off.
    events_planned
        Events planned for the final analysis.
    z
        Log-rank z at this analysis, **positive when treatment is better** (HR < 1); this is
        minus the z rpact takes with ``directionUpper = FALSE``.
    hazard_ratio_observed
        The interim HR estimate (e.g. from Cox) for the observed-effect conditional power;
        default exp(-z / sqrt(I)), I = events r / (1 + r)^2.
    hazard_ratio_planned
        The planned HR; default the effect the design is powered for at ``events_planned``,
        exp(-drift / sqrt(I_planned)).
    previous_events
        Events at earlier analyses of this trial, in order (empty: this is the first).
    allocation_ratio
        Treatment : control.

    Notes
    -----
    This analysis is look ``len(previous_events) + 1`` of the design. Its bounds are
    recomputed at the observed fractions (earlier looks, this one, then the design's later
    looks still ahead of it), as the spending approach allows; the last look of the design, or
    events_observed >= events_planned, is the final analysis, which spends all remaining alpha.
    """
    previous = np.asarray(previous_events, dtype=float)
    if not (events_planned > 0 and events_observed > 0):
        raise InputError("events must be > 0", field="events_observed", value=events_observed)
    if previous.size and (np.any(np.diff(previous) <= 0) or previous[-1] >= events_observed):
        raise InputError("must increase and stay below events_observed", field="previous_events",
                         value=previous.tolist())
    rates, final = _analysis_rates(design, previous, events_observed, events_planned)
    current = design.with_information_rates(rates)
    stage = previous.size + 1
    k = stage - 1
    critical = float(current.critical_values[k])
    futility = critical if final else float(current.lower_bounds[k])
    decision: Decision = ("stop_for_efficacy" if z >= critical else
                          "stop_for_futility" if z <= futility else "continue")
    if hazard_ratio_planned is None:
        hazard_ratio_planned = hazard_ratio_estimate(design.drift, events_planned,
                                                     allocation_ratio=allocation_ratio)
    if hazard_ratio_observed is None:
        hazard_ratio_observed = hazard_ratio_estimate(z, events_observed, allocation_ratio=allocation_ratio)
    powers = [math.nan, math.nan, math.nan]
    if not final:
        common = {"stage": stage, "events_planned": events_planned, "allocation_ratio": allocation_ratio}
        powers = [conditional_power(current, z, hazard_ratio=hazard_ratio_planned, **common),
                  conditional_power(current, z, hazard_ratio=hazard_ratio_observed, **common),
                  predictive_power(current, z, **common)]
    logger.info("interim look %d at information %.3f: z %.3f, bound %.3f -> %s", stage,
                events_observed / events_planned, z, critical, decision)
    return InterimDecision(
        stage=stage, information_fraction=events_observed / events_planned, critical_value=critical,
        futility_bound=futility, z=float(z), decision=decision, hazard_ratio=hazard_ratio_observed,
        conditional_power_planned=powers[0], conditional_power_observed=powers[1],
        predictive_power=powers[2],
        repeated_ci=repeated_confidence_interval(current, z, stage=stage, events=events_observed,
                                                 allocation_ratio=allocation_ratio),
        design=current)
