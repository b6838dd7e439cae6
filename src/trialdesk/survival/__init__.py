"""The survival engine: Kaplan-Meier, log-rank, Cox, RMST and their batch forms (numpy/scipy only).

Conventions follow R ``survival`` 3.5 (docs/methods.md). ``trialdesk.survival.batch`` holds the
vectorised forms for many simulated trials at once.
"""

from __future__ import annotations

from trialdesk.survival.cox import CoxFit, cox_ph
from trialdesk.survival.kaplan_meier import (
    KaplanMeier,
    QuantileEstimate,
    RestrictedMean,
    SurvivalAt,
    kaplan_meier,
    kaplan_meier_by_group,
)
from trialdesk.survival.logrank import LogRankTest, logrank_test
from trialdesk.survival.median_follow_up import (
    FollowUp,
    median_follow_up,
    median_follow_up_by_group,
)

__all__ = [
    "CoxFit",
    "FollowUp",
    "KaplanMeier",
    "LogRankTest",
    "QuantileEstimate",
    "RestrictedMean",
    "SurvivalAt",
    "cox_ph",
    "kaplan_meier",
    "kaplan_meier_by_group",
    "logrank_test",
    "median_follow_up",
    "median_follow_up_by_group",
]
