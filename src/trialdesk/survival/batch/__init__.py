"""Batch forms of the survival engine: arrays of trials x patients, one result per trial."""

from trialdesk.survival.batch.cox import BatchCoxFit, cox_ph
from trialdesk.survival.batch.kaplan_meier import km_at
from trialdesk.survival.batch.logrank import BatchLogRankTest, logrank_test

__all__ = ["BatchCoxFit", "BatchLogRankTest", "cox_ph", "km_at", "logrank_test"]
