"""Calibrate an arm's event-time model to published summaries.

A publication gives per arm a median with its CI, landmark rates with their CIs and perhaps
the number of patients and events. ``calibrate`` fits a piecewise-exponential hazard (or a
Weibull) to them by weighted least squares on the log-survival scale, each point weighted by
the standard error its CI implies (docs/simulate.md#calibration):

- a landmark rate S(t) with CI (lower, upper): se(log S) = log(upper / lower) / (2 z), the
  log-transform interval R survival prints by default (RESORT's CIs are of this kind);
- the median m: the point S(m) = 0.5; its time CI (lo, hi) is carried to the survival scale
  through a first, unweighted fit: se = (log S(lo) - log S(hi)) / (2 z), one-sided
  (log S(lo) - log 0.5) / z when the upper limit is "not reached";
- patients and events: the expected number of events given uniform accrual over
  ``accrual_months`` and analysis at ``analysis_month``, with Poisson se sqrt(events).

A point without a CI gets the median se of the points that have one (1 when none has).
The result reports the fit's error at each published point.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from scipy import optimize, stats

from trialdesk.errors import InputError
from trialdesk.simulate.event_time_models import EventTimeModel, PiecewiseExponential, Weibull
from trialdesk.table import Table

__all__ = [
    "Calibration",
    "ModelFamily",
    "PublishedArm",
    "PublishedCounts",
    "PublishedLandmark",
    "PublishedMedian",
    "calibrate",
    "resort_published",
]

logger = logging.getLogger(__name__)

ModelFamily = Literal["piecewise", "weibull"]


@dataclass(frozen=True)
class PublishedLandmark:
    """A published landmark rate: S(``time``) with its CI (fractions, not percent; months)."""

    time: float
    survival: float
    lower: float | None = None
    upper: float | None = None


@dataclass(frozen=True)
class PublishedMedian:
    """A published median in months with its CI; ``upper=None`` means "not reached"."""

    median: float
    lower: float | None = None
    upper: float | None = None


@dataclass(frozen=True)
class PublishedCounts:
    """Patients and events at an analysis; entries uniform over ``accrual_months``.

    ``analysis_month`` is the analysis date in months after the first patient entered.
    """

    patients: int
    events: int
    accrual_months: float
    analysis_month: float


@dataclass(frozen=True)
class PublishedArm:
    """Everything a publication reports about one arm's time-to-event endpoint."""

    arm: str
    landmarks: tuple[PublishedLandmark, ...] = ()
    median: PublishedMedian | None = None
    counts: PublishedCounts | None = None


@dataclass(frozen=True)
class Calibration:
    """A fitted event-time model and its error at every published point.

    ``points`` has one row per published point: ``published`` and ``fitted`` on the scale
    reported (survival as a fraction, median in months, events as a count), ``error`` =
    fitted - published on that scale, and ``error_pp`` = the error on the survival scale in
    percentage points (for the median: 100 * (S(published median) - 0.5); NaN for counts).
    """

    arm: str
    model: EventTimeModel
    points: Table
    conf_level: float = field(default=0.95)

    @property
    def max_abs_error_pp(self) -> float:
        """The largest absolute survival-scale error, in percentage points."""
        errors = np.asarray(self.points.columns["error_pp"], dtype=float)
        return float(np.nanmax(np.abs(errors)))

    def summary(self) -> Table:
        """The published points beside the fitted model's values."""
        return Table(dict(self.points.columns), title=f"{self.arm}: {self.model.describe()}")


def _expected_events(model: EventTimeModel, counts: PublishedCounts) -> float:
    """patients * (1 - mean S(follow-up)) over uniform entry; follow-up = analysis - entry."""
    follow_up = counts.analysis_month - np.linspace(0.0, counts.accrual_months, 201)
    mean_survival = float(np.mean(model.survival(np.clip(follow_up, 0.0, None))))
    return counts.patients * (1.0 - mean_survival)


def _build(family: ModelFamily, breaks: np.ndarray, log_params: np.ndarray) -> EventTimeModel:
    if family == "weibull":
        return Weibull(shape=float(np.exp(log_params[0])), scale=float(np.exp(log_params[1])))
    return PiecewiseExponential(breaks, np.exp(log_params))


def _median_se(model: EventTimeModel, median: PublishedMedian, z: float) -> float | None:
    if median.lower is None:
        return None
    log_lower = float(np.log(model.survival(median.lower)))
    if median.upper is None:
        return max(log_lower - np.log(0.5), 1e-6) / z
    return max(log_lower - float(np.log(model.survival(median.upper))), 1e-6) / (2.0 * z)


def _residuals(model: EventTimeModel, published: PublishedArm) -> list[float]:
    values = [float(np.log(model.survival(p.time)) - np.log(p.survival)) for p in published.landmarks]
    if published.median is not None:
        values.append(float(np.log(model.survival(published.median.median)) - np.log(0.5)))
    if published.counts is not None:
        values.append(_expected_events(model, published.counts) - published.counts.events)
    return values


def _standard_errors(model: EventTimeModel, published: PublishedArm, z: float) -> np.ndarray:
    se: list[float | None] = [
        None if p.lower is None or p.upper is None else float(np.log(p.upper / p.lower)) / (2 * z)
        for p in published.landmarks]
    if published.median is not None:
        se.append(_median_se(model, published.median, z))
    known = [s for s in se if s is not None]
    fallback = float(np.median(known)) if known else 1.0
    survival_se = [fallback if s is None else s for s in se]
    if published.counts is not None:
        survival_se.append(float(np.sqrt(max(published.counts.events, 1))))
    return np.asarray(survival_se)


def _default_breaks(published: PublishedArm) -> np.ndarray:
    times = sorted({p.time for p in published.landmarks}
                   | ({published.median.median} if published.median else set()))
    return np.asarray(times[:-1], dtype=float)


def _start(family: ModelFamily, breaks: np.ndarray, published: PublishedArm) -> np.ndarray:
    if published.median is not None:
        rate = np.log(2.0) / published.median.median
    else:
        first = published.landmarks[0]
        rate = -np.log(first.survival) / first.time
    if family == "weibull":
        return np.array([0.0, np.log(np.log(2.0) / rate)])
    return np.full(breaks.size + 1, np.log(rate))


def _fit(family: ModelFamily, breaks: np.ndarray, published: PublishedArm,
         se: np.ndarray, start: np.ndarray) -> np.ndarray:
    solution = optimize.least_squares(
        lambda p: np.asarray(_residuals(_build(family, breaks, p), published)) / se,
        start, method="lm" if start.size <= se.size else "trf", xtol=1e-14, ftol=1e-14, gtol=1e-14)
    return solution.x


def _error_table(model: EventTimeModel, published: PublishedArm) -> Table:
    rows: list[tuple[object, ...]] = []
    for p in published.landmarks:
        fitted = float(model.survival(p.time))
        rows.append((f"S({p.time:g})", p.survival, fitted, fitted - p.survival,
                     100.0 * (fitted - p.survival)))
    if published.median is not None:
        m = published.median.median
        fitted = model.median()
        rows.append(("median", m, fitted, fitted - m, 100.0 * (float(model.survival(m)) - 0.5)))
    if published.counts is not None:
        expected = _expected_events(model, published.counts)
        rows.append(("events", float(published.counts.events), expected,
                     expected - published.counts.events, float("nan")))
    return Table.from_rows(["point", "published", "fitted", "error", "error_pp"], rows)


def calibrate(published: PublishedArm, *, family: ModelFamily = "piecewise",
              breaks: tuple[float, ...] | None = None, conf_level: float = 0.95) -> Calibration:
    """Fit an event-time model to one arm's published summaries.

    Parameters
    ----------
    published
        The arm's median, landmark rates (fractions) and optional patient/event counts.
    family
        ``"piecewise"`` (piecewise-exponential hazard) or ``"weibull"``.
    breaks
        Change points of the piecewise hazard in months; default: every published time but
        the last, so that a median and two landmarks give three pieces fitted exactly.
    conf_level
        The level of the published CIs (0.95: z = 1.96).

    Returns
    -------
    Calibration
        The model (times in months) and a table of the error at each published point.

    Examples
    --------
    >>> arm = resort_published()["observation"]
    >>> round(calibrate(arm).model.median(), 3)
    35.0
    """
    n_points = len(published.landmarks) + (published.median is not None) + (published.counts is not None)
    if n_points == 0:
        raise InputError("has no median, landmark or counts to fit", field="published",
                         value=published.arm)
    break_points = _default_breaks(published) if breaks is None else np.asarray(breaks, dtype=float)
    z = float(stats.norm.ppf(0.5 + conf_level / 2.0))
    start = _start(family, break_points, published)
    unweighted = np.ones(n_points)
    first = _fit(family, break_points, published, unweighted, start)
    se = _standard_errors(_build(family, break_points, first), published, z)
    model = _build(family, break_points, _fit(family, break_points, published, se, first))
    logger.info("calibrated %s: %s", published.arm, model.describe())
    return Calibration(arm=published.arm, model=model, points=_error_table(model, published),
                       conf_level=conf_level)


def resort_published() -> dict[str, PublishedArm]:
    """RESORT's reported interim RFS per arm (../shared/RESORT.md), arm code -> summaries."""
    return {
        "sorafenib": PublishedArm(
            arm="sorafenib",
            landmarks=(PublishedLandmark(12.0, 0.62, 0.46, 0.84),
                       PublishedLandmark(24.0, 0.52, 0.35, 0.76)),
            median=PublishedMedian(29.0, 10.0, None)),
        "observation": PublishedArm(
            arm="observation",
            landmarks=(PublishedLandmark(12.0, 0.74, 0.59, 0.91),
                       PublishedLandmark(24.0, 0.59, 0.42, 0.82)),
            median=PublishedMedian(35.0, 17.0, None)),
    }
