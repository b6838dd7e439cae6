"""``run_analysis_plan``: every analysis a protocol's analysis plan names, at one cut-off.

The protocol supplies the arms (control = the arm without study drug; if every arm has a
drug, the last arm), the stratification factors, the landmark times, the RMST horizon, the
CI transform, the subgroup factors and the interim plan; ``docs/analysis.md`` states each
analysis's conventions and the R call it matches.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from trialdesk.analysis._serialise import JsonResult
from trialdesk.analysis.baseline import BaselineCharacteristics, baseline_characteristics
from trialdesk.analysis.consort import ConsortCounts, consort_counts
from trialdesk.analysis.datasets import AnalysisDatasets, build_analysis_datasets
from trialdesk.analysis.dose_intensity import DoseIntensity, dose_intensity
from trialdesk.analysis.follow_up import FollowUpAnalysis, follow_up
from trialdesk.analysis.interim import InterimAnalysis, interim_analysis
from trialdesk.analysis.interval_censored import ScanAwareAnalysis, scan_aware_analysis
from trialdesk.analysis.primary import PrimaryAnalysis, primary_analysis
from trialdesk.analysis.safety import SafetySummary, safety_summary
from trialdesk.analysis.subgroups import SubgroupAnalysis, subgroup_analysis
from trialdesk.table import Table
from trialdesk.trial.data import TrialData

__all__ = ["AnalysisResults", "control_arm", "run_analysis_plan"]

logger = logging.getLogger(__name__)

#: Screening field types described in the baseline table (dates and booleans are not).
BASELINE_FIELD_TYPES = ("choice", "int", "float")


@dataclass(frozen=True, slots=True)
class AnalysisResults(JsonResult):
    """All results of one run of the analysis plan (``None`` where the plan has no such step)."""

    protocol_id: str
    cutoff: dt.date
    arms: tuple[str, ...]
    population_sizes: Mapping[str, int]
    consort: ConsortCounts
    baseline: BaselineCharacteristics
    follow_up: FollowUpAnalysis
    primary: PrimaryAnalysis
    scan_aware: ScanAwareAnalysis
    subgroups: SubgroupAnalysis | None
    safety: SafetySummary
    dose_intensity: tuple[DoseIntensity, ...]
    interim: InterimAnalysis | None

    def summary(self) -> Table:
        """Headline numbers: populations, events, HR and p, follow-up, interim decision."""
        hr = self.primary.cox_stratified[0]
        rows: list[tuple[str, str]] = [
            ("data cut-off", self.cutoff.isoformat()),
            *((f"{name} population", str(n)) for name, n in self.population_sizes.items()),
            ("RFS events", str(sum(c.n_events for c in self.primary.curves))),
            ("median follow-up, months", f"{self.follow_up.overall.median:.1f}"),
            (f"HR {hr.term} (stratified)", f"{hr.hazard_ratio:.2f} ({hr.lower:.2f} - {hr.upper:.2f})"),
            ("stratified log-rank p", f"{self.primary.logrank_stratified.p_value:.4f}"),
        ]
        if self.interim is not None:
            rows.append(("interim decision", self.interim.decision))
        return Table.from_rows(("item", "value"), rows, title=f"{self.protocol_id} analysis")


def control_arm(protocol: Any) -> str:
    """The reference arm: the first arm without study drug, else the last arm."""
    undosed = [arm.code for arm in protocol.arms if not arm.daily_dose_mg]
    return undosed[0] if undosed else protocol.arms[-1].code


def _baseline_variables(protocol: Any, datasets: AnalysisDatasets) -> list[str]:
    variables = ["age_years"] if "age_years" in datasets.subjects.columns else []
    variables += [f.name for f in protocol.screening_fields if f.type in BASELINE_FIELD_TYPES]
    variables += list(datasets.stratification_factors)
    return [v for v in dict.fromkeys(variables) if v in datasets.subjects.columns]


def _interim(protocol: Any, primary: PrimaryAnalysis, experimental: str,
             events_planned: float | None) -> InterimAnalysis | None:
    plan = protocol.interim
    if plan is None or (plan.events is None and events_planned is None):
        logger.info("no interim step: the protocol plans no interim or no event counts are known")
        return None
    if not any(curve.n_events for curve in primary.curves):
        logger.info("no interim step: no RFS event by the cut-off")
        return None
    ratio = dict(zip(protocol.arm_codes, protocol.allocation_ratio, strict=True))
    return interim_analysis(primary, plan, experimental=experimental, events_planned=events_planned,
                            allocation_ratio=ratio[experimental] / ratio[primary.arms[0]])


def run_analysis_plan(protocol: Any, data: TrialData, *, cutoff: dt.date,
                      events_planned: float | None = None) -> AnalysisResults:
    """Run the protocol's analysis plan on ``data`` at the data ``cutoff``.

    Parameters
    ----------
    protocol
        A ``trialdesk.protocol.Protocol`` (``load_protocol("resort")``).
    data
        The trial's recorded data.
    cutoff
        Data cut-off date: records dated after it are ignored.
    events_planned
        Events planned for the final analysis, for the interim look when the protocol's
        interim plan gives only information fractions (without either, no interim step).
    """
    plan = protocol.analysis
    control = control_arm(protocol)
    factors = tuple(f.name for f in protocol.stratification_factors)
    datasets = build_analysis_datasets(data, cutoff=cutoff, arms=protocol.arms,
                                       control_arm=control, stratification_factors=factors)
    experimental = datasets.arms[1]
    itt = datasets.rfs_for(plan.primary_population)
    primary = primary_analysis(itt, arms=datasets.arms, landmarks=plan.landmark_months,
                               rmst_tau=plan.rmst_tau_months, conf_type=plan.conf_type,
                               conf_level=plan.conf_level, ties=plan.ties)
    safety_subjects = datasets.population("safety")
    dosing = [arm for arm in protocol.arms if arm.daily_dose_mg]
    results = AnalysisResults(
        protocol_id=protocol.id, cutoff=cutoff, arms=datasets.arms,
        population_sizes=MappingProxyType({name: len(datasets.population(name))
                                           for name in plan.populations}),
        consort=consort_counts(datasets),
        baseline=baseline_characteristics(datasets.population("itt"),
                                          _baseline_variables(protocol, datasets),
                                          arms=datasets.arms),
        follow_up=follow_up(itt, arms=datasets.arms),
        primary=primary,
        scan_aware=scan_aware_analysis(itt, primary),
        subgroups=subgroup_analysis(itt, factors=plan.subgroups, control=control,
                                    experimental=experimental) if plan.subgroups else None,
        safety=safety_summary(safety_subjects, datasets.adverse_events, arms=datasets.arms),
        dose_intensity=tuple(
            dose_intensity(datasets, arm=arm.code, planned_daily_dose_mg=arm.daily_dose_mg,
                           max_duration_weeks=arm.max_duration_weeks)
            for arm in dosing if arm.max_duration_weeks
            and safety_subjects["actual_arm"].eq(arm.code).any()),
        interim=_interim(protocol, primary, experimental, events_planned),
    )
    logger.info("analysis plan of %s at %s done", protocol.id, cutoff)
    return results
