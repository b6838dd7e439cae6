"""Restaging scans of simulated patients: whole days, every interval, jittered within the window.

Scan ``k`` (1-based) of a patient is on day ``first + interval * (k - 1) + jitter[k - 1]``
after randomisation, ``jitter`` a whole number of days drawn uniformly from ``[-window,
window]``. Because the window is less than half the interval, scans stay in order, and with
``s = t - (first - interval)`` the scan that detects a relapse on day t (the first on or after
t) is scan ``ceil((s - window) / interval)`` or the next one; the last scan on or before day h
is scan ``floor((s + window) / interval)`` (s from h) or the one before. So detection and
censoring look at two candidate scans per patient, never at the whole schedule
(docs/simulate.md#generation).

Arrays: ``jitter`` (..., n_visits) int8 days; ``day`` (...) float days from randomisation.
"""

from __future__ import annotations

import logging

import numpy as np

from trialdesk.simulate.scenario import RestagingSchedule

__all__ = ["first_scan_on_or_after", "last_scan_on_or_before", "scan_days"]

logger = logging.getLogger(__name__)


def _offset(schedule: RestagingSchedule) -> int:
    """How much later than ``interval * k`` scan k is planned: first - interval."""
    return schedule.first_days - schedule.interval_days


def scan_days(jitter: np.ndarray, visit: np.ndarray, schedule: RestagingSchedule) -> np.ndarray:
    """Day of scan ``visit`` (1-based, per patient): 0 for visit 0, inf beyond the last visit."""
    n_visits = jitter.shape[-1]
    index = np.clip(visit - 1, 0, n_visits - 1)
    planned = schedule.first_days + schedule.interval_days * (visit - 1)
    day = planned + np.take_along_axis(jitter, index[..., None], axis=-1)[..., 0]
    return np.where(visit < 1, 0.0, np.where(visit > n_visits, np.inf, day))


def first_scan_on_or_after(jitter: np.ndarray, day: np.ndarray, schedule: RestagingSchedule) -> np.ndarray:
    """Day of the first scan on or after ``day`` (inf when the schedule ends before it)."""
    with np.errstate(invalid="ignore"):
        candidate = np.ceil((day - _offset(schedule) - schedule.window_days) / schedule.interval_days)
    beyond = jitter.shape[-1] + 1
    visit = np.where(np.isfinite(candidate), np.clip(candidate, 1, beyond), beyond).astype(np.int64)
    first = scan_days(jitter, visit, schedule)
    return np.where(first >= day, first, scan_days(jitter, visit + 1, schedule))


def last_scan_on_or_before(jitter: np.ndarray, day: np.ndarray, schedule: RestagingSchedule) -> np.ndarray:
    """Day of the last scan on or before ``day`` (0 when none has happened)."""
    shifted = np.maximum(day, 0.0) - _offset(schedule)
    candidate = np.clip(np.floor((shifted + schedule.window_days) / schedule.interval_days), 0, None)
    visit = np.minimum(candidate, jitter.shape[-1]).astype(np.int64)
    last = scan_days(jitter, visit, schedule)
    return np.where(last <= day, last, scan_days(jitter, visit - 1, schedule))
