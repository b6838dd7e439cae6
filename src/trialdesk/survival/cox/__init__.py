"""Cox proportional hazards: ``cox_ph`` and its result, as R's ``coxph`` and ``cox.zph``."""

from trialdesk.survival.cox.fit import cox_ph
from trialdesk.survival.cox.result import ChiSquareTest, ConfidenceInterval, CoxFit, PairCounts
from trialdesk.survival.cox.zph import ProportionalHazardsTest

__all__ = ["ChiSquareTest", "ConfidenceInterval", "CoxFit", "PairCounts", "ProportionalHazardsTest", "cox_ph"]
