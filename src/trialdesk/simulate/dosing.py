"""Treatment exposure of a simulated patient: duration, one dose modification, dose intensity.

A treated patient never starts with probability ``never_started_probability`` (RESORT: 2 of
32). Otherwise the patient starts at the planned daily dose and stays on it for at most the planned
duration, until an RFS event or an early discontinuation (exponential, ``discontinuation_hazard``
per month). With probability ``modification_probability`` the patient has a first dose
modification at an exponential time (mean ``mean_weeks_to_modification``) within that period:
a reduction to ``reduced_daily_dose_mg`` for the rest of it (probability ``reduction_share``),
otherwise an interruption of ``interruption_days`` (uniform between the two bounds) after
which the planned dose resumes (docs/simulate.md#dosing).

The same draws give the vectorised generator its relative dose intensity and the record-level
simulator its exposure periods, so both describe one model.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from trialdesk.protocol.conditions import DAYS_PER_MONTH

__all__ = ["DosingDraws", "DosingModel"]

logger = logging.getLogger(__name__)

DAYS_PER_WEEK = 7.0


@dataclass(frozen=True)
class DosingModel:
    """How treated patients deviate from the planned dose (RESORT: 30 of 32 did)."""

    never_started_probability: float = 2.0 / 32.0
    modification_probability: float = 30.0 / 32.0
    reduction_share: float = 0.6
    reduced_daily_dose_mg: float = 400.0
    mean_weeks_to_modification: float = 8.0
    interruption_days: tuple[int, int] = (7, 28)
    discontinuation_hazard: float = 0.02

    def draw(self, rng: np.random.Generator, shape: tuple[int, ...], *,
             planned_days: float) -> DosingDraws:
        """Draw every treated patient's dosing course (days from the first dose)."""
        never_started = rng.random(shape) < self.never_started_probability
        discontinuation = 1.0 + np.floor(rng.exponential(DAYS_PER_MONTH / self.discontinuation_hazard,
                                                         size=shape))
        modified = rng.random(shape) < self.modification_probability
        modification_day = 1.0 + np.floor(rng.exponential(self.mean_weeks_to_modification * DAYS_PER_WEEK,
                                                           size=shape))
        reduction = rng.random(shape) < self.reduction_share
        low, high = self.interruption_days
        interruption = rng.integers(low, high + 1, size=shape).astype(np.float64)
        return DosingDraws(
            planned_days=planned_days,
            stop_day=np.where(never_started, 0.0, np.minimum(discontinuation, planned_days)),
            modification_day=np.where(modified, modification_day, np.inf),
            is_reduction=reduction,
            interruption_days=interruption,
        )


@dataclass(frozen=True)
class DosingDraws:
    """Drawn dosing courses (days from the first dose; ``inf`` = never).

    ``stop_day``: days on treatment unless an RFS event comes first (0 = never started);
    ``modification_day``: day the first modification starts (>= 1).
    """

    planned_days: float
    stop_day: np.ndarray
    modification_day: np.ndarray
    is_reduction: np.ndarray
    interruption_days: np.ndarray

    def course(self, stop_before_day: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(last dosing day + 1, day the modification starts, day it ends), each capped.

        ``stop_before_day`` is the day treatment ends for another reason (the RFS event).
        A modification at or after the end of treatment does not happen (``inf``).
        """
        end = np.minimum(self.stop_day, stop_before_day)
        start = np.where(self.modification_day < end, self.modification_day, np.inf)
        stop = np.where(self.is_reduction, end, np.minimum(start + self.interruption_days, end))
        return end, start, stop

    def relative_dose_intensity(self, stop_before_day: np.ndarray, *, daily_dose_mg: float,
                                reduced_daily_dose_mg: float) -> np.ndarray:
        """Administered dose / planned dose (daily dose x planned days), per patient."""
        end, start, stop = self.course(stop_before_day)
        modified_days = np.where(np.isfinite(start), stop - start, 0.0)
        modified_dose = np.where(self.is_reduction, reduced_daily_dose_mg, 0.0)
        administered = daily_dose_mg * (end - modified_days) + modified_dose * modified_days
        return administered / (daily_dose_mg * self.planned_days)
