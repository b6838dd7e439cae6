"""Per-arm Kaplan-Meier estimates of many simulated trials: landmark rates with CIs, and medians.

Landmark rates come from the engine's ``batch.km_at`` (R: ``summary(survfit(...), times =
landmarks)$surv``); their 95% CIs use the Greenwood standard error of -log S and the "log"
transform, R's default (``conf.type = "log"``). The median follows R's ``print(survfit)`` rule
(``trialdesk.survival._quantile.median_time``): the first time S(t) <= 0.5, or, where S equals
0.5 (within sqrt(machine epsilon)) and drops later, the midpoint of that time and the next
drop; NaN when not reached.

The engine's batch forms have no median or Greenwood term yet, so they are computed here on
rows sorted by time (events before censorings at a tie), one patient per position, with the
engine's kernels (``product_limit``, ``greenwood_terms``, ``confidence_band``): with n_j the
rows left, S after row i is prod_{j <= i} (1 - event_j / n_j) and the Greenwood sum adds
event_j / (n_j (n_j - 1)); within a run of d tied events both telescope to the per-time
values (n - d) / n and d / (n (n - d)), so at the end of each run they equal the
Kaplan-Meier quantities (docs/simulate.md#analyses). Each trial-arm pair is one row.
"""

from __future__ import annotations

import logging

import numpy as np

from trialdesk.simulate.cutoff import AnalysisData
from trialdesk.simulate.scenario import Scenario
from trialdesk.survival import batch
from trialdesk.survival._confidence import confidence_band, z_value
from trialdesk.survival._km_kernel import greenwood_terms, product_limit
from trialdesk.survival._quantile import TOLERANCE

__all__ = ["arm_estimates", "km_medians"]

logger = logging.getLogger(__name__)


def _sorted_rows(time: np.ndarray, event: np.ndarray, mask: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows sorted by time, events first at a tie, padding last (time inf); rows left per position."""
    key = np.where(mask, time, np.inf)
    order = np.lexsort((1.0 - event, key), axis=-1)
    time_sorted = np.take_along_axis(key, order, axis=-1)
    event_sorted = np.take_along_axis(np.where(mask, event, 0.0), order, axis=-1)
    n_left = np.maximum(mask.sum(axis=-1, keepdims=True) - np.arange(time.shape[-1])[None, :], 1)
    return time_sorted, event_sorted, n_left


def _median(time_sorted: np.ndarray, event_sorted: np.ndarray, survival: np.ndarray) -> np.ndarray:
    reached = (survival < 0.5 + TOLERANCE) & (event_sorted > 0)
    first = np.argmax(reached, axis=-1)
    first_time = np.take_along_axis(time_sorted, first[:, None], axis=-1)[:, 0]
    run_end = (time_sorted <= first_time[:, None]).sum(axis=-1) - 1
    level = np.take_along_axis(survival, run_end[:, None], axis=-1)[:, 0]
    drops = (survival < level[:, None]) & (event_sorted > 0)
    next_drop = np.take_along_axis(time_sorted, np.argmax(drops, axis=-1)[:, None], axis=-1)[:, 0]
    at_half = (np.abs(level - 0.5) < TOLERANCE) & drops.any(axis=-1)
    median = np.where(at_half, (first_time + next_drop) / 2.0, first_time)
    return np.where(reached.any(axis=-1), median, np.nan)


def km_medians(time: np.ndarray, event: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Kaplan-Meier median per row of (rows, n) arrays; ``mask`` false = not in the curve.

    NaN where the curve never reaches 0.5 (R prints NA).
    """
    time_sorted, event_sorted, n_left = _sorted_rows(time, event, mask)
    return _median(time_sorted, event_sorted, product_limit(n_left, event_sorted))


def _greenwood_se_at(time_sorted: np.ndarray, event_sorted: np.ndarray, n_left: np.ndarray,
                     times: np.ndarray) -> np.ndarray:
    """Standard error of -log S at each of ``times`` per row (0 before the first event)."""
    cumulative = np.cumsum(greenwood_terms(n_left, event_sorted), axis=-1)
    seen = (time_sorted[:, :, None] <= times[None, None, :]).sum(axis=1)
    at = np.take_along_axis(cumulative, np.maximum(seen - 1, 0), axis=-1)
    return np.sqrt(np.where(seen > 0, at, 0.0))


def arm_estimates(data: AnalysisData, arm: np.ndarray, rows: np.ndarray, scenario: Scenario
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Landmark rates, whether their 95% CIs cover the arm's S(t), and medians, for ``rows``.

    Returns arrays of shape (len(rows), n_arms, n_landmarks), the same (1 covered, 0 not, NaN
    where there is no CI), and (len(rows), n_arms). Coverage compares with the arm model's
    S(t), the event time as drawn, before detection at a scan.
    """
    n_arms = len(scenario.arms)
    landmarks = np.asarray(scenario.landmarks, dtype=float)
    per_arm_mask = np.stack([data.included[rows] & (arm[rows] == k) for k in range(n_arms)], axis=1)
    shape = per_arm_mask.shape
    time = np.broadcast_to(data.time[rows][:, None, :], shape)
    event = np.broadcast_to(data.event[rows][:, None, :], shape)
    survival = np.asarray(batch.km_at(time, event, landmarks, mask=per_arm_mask))
    n = shape[-1]
    time_sorted, event_sorted, n_left = _sorted_rows(time.reshape(-1, n), event.reshape(-1, n),
                                                     per_arm_mask.reshape(-1, n))
    se = _greenwood_se_at(time_sorted, event_sorted, n_left, landmarks).reshape(survival.shape)
    with np.errstate(invalid="ignore", divide="ignore"):
        lower, upper = confidence_band(survival, se, "log", z_value(0.95))
    truth = np.stack([a.rfs.survival(landmarks) for a in scenario.arms])[None, :, :]
    covered = np.where(np.isfinite(lower) & np.isfinite(upper), (lower <= truth) & (truth <= upper), np.nan)
    medians = _median(time_sorted, event_sorted, product_limit(n_left, event_sorted)).reshape(shape[:2])
    logger.debug("KM estimates for %d trials", len(rows))
    return survival, covered, medians
