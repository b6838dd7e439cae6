"""The interim look: events, information fraction, log-rank z, boundary, decision, power.

Conventions (``docs/analysis.md#interim``):

* events: RFS events of the primary (ITT) analysis at the cut-off; information fraction =
  events / events planned for the final analysis (the protocol's last ``interim.events``,
  else the ``events_planned`` given);
* z: the stratified log-rank statistic of the primary analysis, signed so that z > 0
  favours the experimental arm: z = -sign(O - E) sqrt(chisq) for the experimental arm;
* the design is the protocol's group-sequential plan (``trialdesk.design.group_sequential``);
  ``trialdesk.design.interim_decision`` recomputes its boundaries at the observed
  information, gives the decision and the conditional power under the planned effect and
  under the observed effect (the stratified Cox hazard ratio).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np

from trialdesk.analysis._serialise import JsonResult, read_only
from trialdesk.analysis.primary import PrimaryAnalysis
from trialdesk.design import group_sequential, interim_decision
from trialdesk.errors import InputError
from trialdesk.table import Table

__all__ = ["InterimAnalysis", "interim_analysis"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class InterimAnalysis(JsonResult):
    """One interim look (module doc); z > 0 favours the experimental arm.

    ``information_rates``, ``critical_values`` and ``futility_bounds`` are the boundary path
    of the design recomputed at the observed information (futility -inf: none), for the
    boundary plot; ``repeated_ci`` is the repeated CI of the hazard ratio.
    """

    experimental: str
    stage: int
    events_observed: int
    events_planned: float
    information_fraction: float
    z: float
    hazard_ratio: float
    critical_value: float
    futility_bound: float
    decision: str
    conditional_power_planned: float
    conditional_power_observed: float
    predictive_power: float
    repeated_ci: tuple[float, float]
    information_rates: np.ndarray
    critical_values: np.ndarray
    futility_bounds: np.ndarray

    def summary(self) -> Table:
        """One row: events, information, z, boundary, decision, conditional powers."""
        return Table.from_rows(
            ("stage", "events", "planned", "information", "z", "efficacy bound", "futility bound",
             "decision", "HR", "CP (planned HR)", "CP (observed HR)"),
            [(self.stage, self.events_observed, self.events_planned, self.information_fraction,
              self.z, self.critical_value, self.futility_bound, self.decision, self.hazard_ratio,
              self.conditional_power_planned, self.conditional_power_observed)],
            title=f"Interim analysis ({self.experimental} vs control; z > 0 favours {self.experimental})")


def _planned_events(interim_plan: Any, events_planned: float | None) -> float:
    if getattr(interim_plan, "events", None):
        return float(interim_plan.events[-1])
    if events_planned is None:
        raise InputError("the protocol's interim plan gives no event counts", field="events_planned",
                         hint="pass the events planned for the final analysis")
    return float(events_planned)


def interim_analysis(primary: PrimaryAnalysis, interim_plan: Any, *, experimental: str,
                     events_planned: float | None = None,
                     allocation_ratio: float = 1.0) -> InterimAnalysis:
    """The interim look of ``primary`` under the protocol's ``interim_plan`` (module doc).

    Parameters
    ----------
    primary
        The primary analysis at the cut-off.
    interim_plan
        ``protocol.interim``: looks (``information_fraction`` or ``events``), spending,
        alpha, sided, beta, beta spending, binding.
    experimental
        The experimental arm's code.
    events_planned
        Events planned for the final analysis, when the plan gives only fractions.
    allocation_ratio
        Experimental : control allocation (the information of D events is D r / (1 + r)^2).
    """
    planned = _planned_events(interim_plan, events_planned)
    rates = (interim_plan.information_fraction if interim_plan.information_fraction is not None
             else tuple(e / planned for e in interim_plan.events))
    beta = interim_plan.beta if interim_plan.beta is not None else 0.2
    design = group_sequential(list(rates), alpha=interim_plan.alpha, beta=beta,
                              sided=interim_plan.sided, spending=interim_plan.spending,
                              beta_spending=interim_plan.beta_spending,
                              binding=interim_plan.binding_futility)
    events = int(sum(c.n_events for c in primary.curves))
    z = primary.logrank_stratified.z(experimental)
    hazard_ratio = next(hr.hazard_ratio for hr in primary.cox_stratified
                        if hr.term.startswith(f"{experimental} vs"))
    decision = interim_decision(design, events, planned, z, allocation_ratio=allocation_ratio,
                                hazard_ratio_observed=hazard_ratio if np.isfinite(hazard_ratio) else None)
    current = decision.design
    logger.info("interim: %d of %g events, z %.3f, %s", events, planned, z, decision.decision)
    return InterimAnalysis(
        experimental=experimental, stage=decision.stage, events_observed=events,
        events_planned=planned, information_fraction=decision.information_fraction, z=decision.z,
        hazard_ratio=decision.hazard_ratio, critical_value=decision.critical_value,
        futility_bound=decision.futility_bound, decision=decision.decision,
        conditional_power_planned=decision.conditional_power_planned,
        conditional_power_observed=decision.conditional_power_observed,
        predictive_power=decision.predictive_power, repeated_ci=tuple(decision.repeated_ci),
        information_rates=read_only(current.information_rates),
        critical_values=read_only(current.critical_values),
        futility_bounds=read_only(current.futility_bounds))
