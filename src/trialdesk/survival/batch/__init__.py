"""Batch forms of the survival engine: arrays of trials x patients, one result per trial."""

from trialdesk.survival.batch.cox import BatchCoxFit, cox_ph
from trialdesk.survival.batch.kaplan_meier import (
    BatchMedian,
    km_at,
    km_ci_at,
    km_median,
    median_follow_up,
)
from trialdesk.survival.batch.logrank import BatchLogRankTest, logrank_test
from trialdesk.survival.batch.two_arm import logrank_and_cox

__all__ = [
    "BatchCoxFit",
    "BatchLogRankTest",
    "BatchMedian",
    "cox_ph",
    "km_at",
    "km_ci_at",
    "km_median",
    "logrank_and_cox",
    "logrank_test",
    "median_follow_up",
]
