"""A simulation scenario: everything that decides how one simulated trial unfolds.

A ``Scenario`` holds per-arm event-time models (RFS, months), calendar-time accrual,
screening failures, stratification factors with their prevalences, the randomisation scheme,
death and dropout hazards, the restaging schedule with its visit window, dosing and adverse
event rates by arm, the analyses (each at an event count or a calendar month) and the design's
boundaries on the one-sided log-rank z scale (docs/simulate.md#scenario).

Times are in months (days / 30.4375) unless a name says days or weeks.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field

import numpy as np
from scipy import stats

from trialdesk.errors import InputError
from trialdesk.simulate.dosing import DosingModel
from trialdesk.simulate.event_time_models import EventTimeModel

__all__ = [
    "Accrual",
    "AnalysisTiming",
    "ArmScenario",
    "Boundaries",
    "RestagingSchedule",
    "Scenario",
    "StratificationFactor",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Accrual:
    """Calendar-time accrual of randomised patients over ``period_months``.

    Give ``patients`` (a fixed total, entry times uniform over the period, as order
    statistics) or ``rate_per_month`` (a Poisson process; the total varies by trial).
    """

    period_months: float
    patients: int | None = None
    rate_per_month: float | None = None

    def __post_init__(self) -> None:
        if (self.patients is None) == (self.rate_per_month is None):
            raise InputError("give exactly one of patients and rate_per_month", field="accrual")
        if self.period_months <= 0:
            raise InputError("must be positive", field="accrual.period_months", value=self.period_months)

    @property
    def max_patients(self) -> int:
        """Width of the patient axis: the fixed total, or a Poisson count exceeded w.p. < 1e-12."""
        if self.patients is not None:
            return self.patients
        mean = self.rate_per_month * self.period_months
        return int(stats.poisson.isf(1e-12, mean)) + 1


@dataclass(frozen=True)
class StratificationFactor:
    """A stratification factor: level names and their prevalences (summing to 1)."""

    name: str
    levels: tuple[str, ...]
    prevalences: tuple[float, ...]

    def __post_init__(self) -> None:
        if len(self.levels) != len(self.prevalences) or not math.isclose(sum(self.prevalences), 1.0):
            raise InputError("needs one prevalence per level, summing to 1",
                             field=f"strata.{self.name}.prevalences", value=self.prevalences)


@dataclass(frozen=True)
class ArmScenario:
    """One arm: its RFS model, treatment and safety."""

    code: str
    rfs: EventTimeModel
    daily_dose_mg: float = 0.0
    max_duration_weeks: float = 0.0
    grade3_ae_rate: float = 0.0

    @property
    def treated(self) -> bool:
        """Whether the arm receives a drug (dosing is simulated only then)."""
        return self.daily_dose_mg > 0 and self.max_duration_weeks > 0


@dataclass(frozen=True)
class RestagingSchedule:
    """Restaging scans every ``interval_weeks``, each on a whole day within +/- ``window_days``.

    The first scan is planned at ``first_weeks`` (the interval unless given), as the
    protocol's visit schedule says. The window must be less than half the interval, so that
    scans stay in order, and less than the first scan's planned day.
    """

    interval_weeks: int = 12
    window_days: int = 7
    first_weeks: int | None = None

    def __post_init__(self) -> None:
        if not 0 <= 2 * self.window_days < self.interval_days or self.window_days >= self.first_days:
            raise InputError("must be at least 0 and less than half the restaging interval",
                             field="visit_schedule.window_days", value=self.window_days)

    @property
    def interval_days(self) -> int:
        """The interval in days."""
        return 7 * self.interval_weeks

    @property
    def first_days(self) -> int:
        """Planned day of the first scan."""
        return 7 * (self.first_weeks or self.interval_weeks)


@dataclass(frozen=True)
class AnalysisTiming:
    """When an analysis happens: at ``events`` RFS events or at ``calendar_month``.

    With both, whichever comes first. Calendar months count from the first randomisation.
    """

    events: int | None = None
    calendar_month: float | None = None

    def __post_init__(self) -> None:
        if self.events is None and self.calendar_month is None:
            raise InputError("give events, calendar_month or both", field="analyses")


@dataclass(frozen=True)
class Boundaries:
    """Efficacy (and optional futility) bounds on the log-rank z per analysis.

    z > 0 favours the experimental arm (lower hazard). One-sided (``sided=1``): reject when
    z >= the bound; two-sided: when |z| >= it. ``futility`` of -inf means none.
    """

    efficacy: tuple[float, ...]
    futility: tuple[float, ...] | None = None
    alpha: float = 0.025
    sided: int = 1

    @property
    def futility_bounds(self) -> np.ndarray:
        """Futility bounds per analysis (-inf where there is none; never at the final one)."""
        bounds = np.full(len(self.efficacy), -np.inf)
        if self.futility is not None:
            bounds[: len(self.futility)] = self.futility
        bounds[-1] = -np.inf
        return bounds

    @classmethod
    def from_design(cls, design: object, *, alpha: float) -> Boundaries:
        """From a ``trialdesk.design.group_sequential`` result (critical values, futility)."""
        futility = getattr(design, "futility_bounds", None)
        futility_values = None
        if futility is not None and np.size(futility):
            futility_values = tuple(float(v) if np.isfinite(v) else -np.inf
                                    for v in np.asarray(futility, dtype=float))
        return cls(efficacy=tuple(float(v) for v in np.asarray(design.critical_values, dtype=float)),
                   futility=futility_values, alpha=alpha, sided=int(design.sided))


@dataclass(frozen=True)
class Scenario:
    """Everything one simulated trial needs; see the module docstring for units.

    ``arms[0]`` is the control (the reference of the hazard ratio); ``arms[1]`` the
    experimental arm. ``death_hazard`` is the part of the RFS hazard that is death without
    relapse (per month; RFS stays as calibrated); ``dropout_hazard`` censors (per month).
    ``true_hazard_ratio`` (experimental vs control), when the arms are proportional, is what
    the hazard-ratio CI coverage is measured against.
    """

    name: str
    protocol_id: str
    arms: tuple[ArmScenario, ...]
    accrual: Accrual
    analyses: tuple[AnalysisTiming, ...]
    boundaries: Boundaries
    allocation_ratio: tuple[int, ...] = (1, 1)
    block_sizes: tuple[int, ...] = (2, 4)
    strata: tuple[StratificationFactor, ...] = ()
    screen_failure_rate: float = 0.0
    death_hazard: float = 0.0
    dropout_hazard: float = 0.0
    restaging: RestagingSchedule = field(default_factory=RestagingSchedule)
    dosing: DosingModel = field(default_factory=DosingModel)
    max_follow_up_months: float = 60.0
    landmarks: tuple[float, ...] = (12.0, 24.0)
    true_hazard_ratio: float | None = None

    def __post_init__(self) -> None:
        if len(self.arms) != 2 or len(self.allocation_ratio) != 2:
            raise InputError("the simulator compares exactly two arms", field="arms",
                             value=[a.code for a in self.arms])
        if len(self.boundaries.efficacy) != len(self.analyses):
            raise InputError("needs one efficacy bound per analysis", field="boundaries.efficacy",
                             value=self.boundaries.efficacy)

    @property
    def n_strata(self) -> int:
        """Number of strata: the product of the factors' level counts."""
        return int(np.prod([len(f.levels) for f in self.strata], dtype=np.int64))

    @property
    def study_end_month(self) -> float:
        """The last calendar month any patient is followed: accrual plus maximum follow-up."""
        return self.accrual.period_months + self.max_follow_up_months
