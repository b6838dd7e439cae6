"""Data cut-offs of simulated trials: when each analysis happens and what it sees.

An analysis at ``events`` RFS events happens on the calendar date of the trial's
``events``-th observed RFS event; at ``calendar_month`` on that date; with both, at the
earlier; never after the study end (accrual plus maximum follow-up) and never before the
previous analysis (docs/simulate.md#analyses).

At a cut-off, a patient randomised by then is followed to the earliest of the cut-off, dropout
and the maximum follow-up. An RFS event seen by then (a relapse at its detecting scan, a death
on its date) is an event at that time; anyone else is censored at the last restaging scan
before the horizon, the last date known relapse-free (0 when no scan has happened yet).
A patient not yet randomised enters the analysis as censored at time 0, which changes no
log-rank, Cox or Kaplan-Meier estimate (every event time is positive), and is masked out.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from trialdesk.simulate.dosing import DAYS_PER_MONTH
from trialdesk.simulate.generator import SimulatedTrials
from trialdesk.simulate.restaging import last_scan_on_or_before
from trialdesk.simulate.scenario import AnalysisTiming, Scenario

__all__ = ["AnalysisData", "analysis_dates", "data_at_cutoff", "event_dates"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AnalysisData:
    """What one analysis sees, per trial and patient: (n_trials, n_patients) arrays.

    ``time`` in months from randomisation, ``event`` 1 = RFS event, 0 = censored;
    ``included`` marks patients randomised by the cut-off (the rest are time 0, event 0).
    """

    cutoff: np.ndarray
    time: np.ndarray
    event: np.ndarray
    included: np.ndarray

    @property
    def n_events(self) -> np.ndarray:
        """RFS events per trial."""
        return self.event.sum(axis=1)


def event_dates(trials: SimulatedTrials) -> np.ndarray:
    """Calendar month each RFS event is observed (inf when never: after dropout or padding)."""
    seen = trials.mask & (trials.rfs_time <= trials.dropout)
    return np.where(seen, trials.entry + trials.rfs_time, np.inf)


def _date_of(timing: AnalysisTiming, dates: np.ndarray, study_end: float) -> np.ndarray:
    cutoff = np.full(dates.shape[0], study_end)
    if timing.events is not None and timing.events <= dates.shape[1]:
        kth = np.partition(dates, timing.events - 1, axis=1)[:, timing.events - 1]
        cutoff = np.minimum(cutoff, kth)
    if timing.calendar_month is not None:
        cutoff = np.minimum(cutoff, timing.calendar_month)
    return cutoff


def analysis_dates(trials: SimulatedTrials, scenario: Scenario) -> np.ndarray:
    """(n_trials, n_analyses) calendar months of the planned analyses, non-decreasing."""
    dates = event_dates(trials)
    cutoffs = np.stack([_date_of(timing, dates, scenario.study_end_month)
                        for timing in scenario.analyses], axis=1)
    return np.maximum.accumulate(cutoffs, axis=1)


def data_at_cutoff(trials: SimulatedTrials, scenario: Scenario, cutoff: np.ndarray) -> AnalysisData:
    """Each patient's RFS time and status as seen at calendar month ``cutoff`` (per trial)."""
    included = trials.mask & (trials.entry <= cutoff[:, None])
    horizon = np.minimum(np.minimum(cutoff[:, None] - trials.entry, trials.dropout),
                         scenario.max_follow_up_months)
    event = event_dates(trials) <= cutoff[:, None]
    censored_at = last_scan_on_or_before(trials.scan_jitter, horizon * DAYS_PER_MONTH,
                                         scenario.restaging) / DAYS_PER_MONTH
    time = np.where(event, trials.rfs_time, np.where(included, censored_at, 0.0))
    return AnalysisData(cutoff=cutoff, time=time, event=event.astype(np.float64), included=included)
