"""Where a Kaplan-Meier curve (or one of its confidence bands) reaches a level, as R finds it.

Two rules, both from R ``survival`` 3.5 (docs/methods.md#median):

- ``median_time``: what ``print(survfit)`` shows (R's ``survmean``): the first time the curve is
  <= 0.5; if it equals 0.5 there (within sqrt(machine epsilon)) and drops later, the midpoint of
  that time and the next time it drops.
- ``quantile_times``: what ``quantile(survfit)`` returns (R's ``findq``): works on 1 - S with
  repeated values removed, so where a band rises again it can pick a later time than the
  first crossing; a level held to the last time gives the midpoint with the last time.

NaN (R's NA) means the curve or band never reaches the level.
"""

from __future__ import annotations

import logging

import numpy as np

__all__ = ["TOLERANCE", "median_time", "median_times", "quantile_times"]

logger = logging.getLogger(__name__)

#: R's tolerance for "equals the level": sqrt(.Machine$double.eps).
TOLERANCE = float(np.sqrt(np.finfo(float).eps))


def median_time(time: np.ndarray, curve: np.ndarray) -> float:
    """First time ``curve`` <= 0.5 by the ``print(survfit)`` rule; NaN if never.

    time: (k,) sorted distinct times; curve: (k,) S(t), or a band with NaN where undefined.
    """
    return float(median_times(time, curve))


def median_times(time: np.ndarray, curve: np.ndarray, at: np.ndarray | None = None
                 ) -> np.ndarray:
    """:func:`median_time` along the last axis, for each leading index (shape ``(...)``).

    time, curve: (..., k), times ascending along the last axis; at: (..., k) booleans, the
    positions that are a curve's distinct times (the value there is the curve after that
    time); None = all. Positions outside ``at`` are ignored.
    """
    keep = ~np.isnan(curve) & (curve < 0.5 + TOLERANCE)
    if at is not None:
        keep &= at
    first = np.argmax(keep, axis=-1)[..., None]
    level = np.take_along_axis(curve, first, axis=-1)
    first_time = np.take_along_axis(time, first, axis=-1)[..., 0]
    drops = keep & (curve < level)
    later_time = np.take_along_axis(time, np.argmax(drops, axis=-1)[..., None], axis=-1)[..., 0]
    midpoint = (np.abs(level[..., 0] - 0.5) < TOLERANCE) & drops.any(axis=-1)
    median = np.where(midpoint, (first_time + later_time) / 2.0, first_time)
    return np.where(keep.any(axis=-1), median, np.nan)


def quantile_times(time: np.ndarray, curve: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """Times where 1 - ``curve`` reaches each of ``probs`` by the ``quantile(survfit)`` rule.

    time: (k,) sorted distinct times (the curve starts at 1 at time 0); curve: (k,) S(t) or a
    band; probs: (m,) in [0, 1], the fraction with an event (0.5 = median, 0.25 = S <= 0.75).
    """
    x = np.concatenate(([0.0], time))
    y = np.concatenate(([0.0], 1.0 - curve))
    probs = np.asarray(probs, dtype=float)
    out = np.full(probs.shape, np.nan)
    if np.isnan(y).all() or np.nanmax(y) < probs.min():
        return out
    last_time = x[-1]
    _, first_seen = np.unique(y, return_index=True)
    kept = np.sort(first_seen)
    x, y = x[kept], y[kept]
    defined = np.flatnonzero(~np.isnan(y))
    last_defined = not np.isnan(y[-1])
    for j, p in enumerate(probs):
        first = _smallest_knot_at_or_above(y[defined] + TOLERANCE, p)
        drop = _smallest_knot_at_or_above(y[defined] - TOLERANCE, p)
        first_time = x[defined[first]] if first >= 0 else np.nan
        if p == 0:
            out[j] = x[0]
        elif drop >= 0:
            out[j] = (first_time + x[defined[drop]]) / 2.0
        if last_defined and abs(p - y[-1]) < TOLERANCE:
            out[j] = (first_time + last_time) / 2.0
    return out


def _smallest_knot_at_or_above(knots: np.ndarray, p: float) -> int:
    """Position of the smallest knot >= p (R's approx(method="constant", f=1)); -1 if none.

    Also -1 when p lies below every knot, where R's approx returns NA.
    """
    if knots.size == 0 or p < knots.min():
        return -1
    candidates = np.flatnonzero(knots >= p)
    if candidates.size == 0:
        return -1
    return int(candidates[np.argmin(knots[candidates])])
