"""Reproduce a published trial: its reported numbers beside the simulated distribution of the same analysis.

For RESORT the published analysis is the interim on the ITT population of 68 patients. The
simulated trial is the ``published`` scenario (arms calibrated to the report) analysed once,
on the calendar date by which 68 of the 76 patients were randomised (uniform accrual over 60
months: month 60 x 68 / 76), with no stopping rule. Each published figure is placed in the
simulated distribution of its estimate: the percentile is the share of simulated trials whose
estimate lies below it (docs/simulate.md#reproduce).
"""

from __future__ import annotations

import dataclasses
import logging

import numpy as np

from trialdesk.simulate.calibration import resort_published
from trialdesk.simulate.characteristics import OperatingCharacteristics
from trialdesk.simulate.presets import resort_scenario
from trialdesk.simulate.runner import simulate
from trialdesk.simulate.scenario import AnalysisTiming, Boundaries, Scenario
from trialdesk.table import Table

__all__ = ["RESORT_INTERIM_PATIENTS", "RESORT_MEDIAN_FOLLOW_UP_MONTHS", "comparison_table",
           "reproduce_resort", "resort_interim_scenario"]

logger = logging.getLogger(__name__)

#: Patients in RESORT's reported interim analysis (ITT).
RESORT_INTERIM_PATIENTS = 68
#: Its reported median follow-up in months (reverse Kaplan-Meier, by convention).
RESORT_MEDIAN_FOLLOW_UP_MONTHS = 21.0


def resort_interim_scenario() -> Scenario:
    """RESORT's ``published`` scenario analysed once, when 68 patients were randomised."""
    scenario = resort_scenario("published")
    month = scenario.accrual.period_months * RESORT_INTERIM_PATIENTS / scenario.accrual.patients
    return dataclasses.replace(scenario, name="resort-published-interim",
                               analyses=(AnalysisTiming(calendar_month=month),),
                               boundaries=Boundaries((np.inf,), alpha=scenario.boundaries.alpha))


def _published_figures() -> dict[str, float]:
    figures: dict[str, float] = {"patients": float(RESORT_INTERIM_PATIENTS),
                                 "median_follow_up_months": RESORT_MEDIAN_FOLLOW_UP_MONTHS}
    for code, arm in resort_published().items():
        figures[f"median_{code}"] = arm.median.median
        for landmark in arm.landmarks:
            figures[f"rfs_{landmark.time:g}m_{code}"] = landmark.survival
    figures["grade3_ae_sorafenib"] = 0.22
    figures["grade3_ae_observation"] = 0.03
    return figures


def comparison_table(result: OperatingCharacteristics, published: dict[str, float]) -> Table:
    """Published figure, simulated mean and 5/50/95% quantiles, and the figure's percentile."""
    rows = []
    for name, figure in published.items():
        d = result.distribution(name)
        rows.append((name, figure, d.mean, d.quantile(0.05), d.quantile(0.5), d.quantile(0.95),
                     d.percentile_of(figure), d.missing_fraction))
    return Table.from_rows(["quantity", "published", "simulated_mean", "q05", "q50", "q95",
                            "percentile", "not_estimable"], rows,
                           title=f"{result.scenario}: published vs {result.n_trials} simulated trials "
                                 f"(seed {result.seed}); percentile = % of simulated estimates below")


def reproduce_resort(n_trials: int, *, seed: int) -> Table:
    """RESORT's published interim figures beside ``n_trials`` simulated interim analyses."""
    result = simulate(resort_interim_scenario(), n_trials, seed=seed)
    return comparison_table(result, _published_figures())
