"""Trial design: group-sequential boundaries, survival sample size, interim monitoring.

Numpy and scipy only; matches rpact (docs/design.md). Sign convention throughout: z > 0
favours the experimental arm (for the log-rank test, HR < 1).
"""

from __future__ import annotations

from trialdesk.design.group_sequential import GroupSequentialDesign, group_sequential
from trialdesk.design.monitoring import (
    InterimDecision,
    conditional_power,
    hazard_ratio_estimate,
    interim_decision,
    predictive_power,
    repeated_confidence_interval,
    repeated_p_value,
)
from trialdesk.design.survival import SurvivalPlan, survival_power, survival_sample_size

__all__ = [
    "GroupSequentialDesign",
    "InterimDecision",
    "SurvivalPlan",
    "conditional_power",
    "group_sequential",
    "hazard_ratio_estimate",
    "interim_decision",
    "predictive_power",
    "repeated_confidence_interval",
    "repeated_p_value",
    "survival_power",
    "survival_sample_size",
]
