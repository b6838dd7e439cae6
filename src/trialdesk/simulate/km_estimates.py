"""Per-arm Kaplan-Meier estimates of many simulated trials: landmark rates and medians.

Landmark rates come from the engine's ``batch.km_at`` (R: ``summary(survfit(...), times =
landmarks)$surv``). The median follows R's
``print(survfit)`` rule (``trialdesk.survival._quantile.median_time``): the first time S(t) <=
0.5, or, where S equals 0.5 (within sqrt(machine epsilon)) and drops later, the midpoint of
that time and the next drop; NaN when not reached.

The median is computed on rows sorted by time (events before censorings at a tie), with
S after row i = prod_{j <= i} (1 - event_j / n_j), n_j the rows left: within a tie run the
product telescopes to (n - d) / n, so S at the end of each run is the Kaplan-Meier value
(docs/simulate.md#analyses). Each trial-arm pair is one row of the batch.
"""

from __future__ import annotations

import logging

import numpy as np

from trialdesk.simulate.cutoff import AnalysisData
from trialdesk.simulate.scenario import Scenario
from trialdesk.survival import batch
from trialdesk.survival._quantile import TOLERANCE

__all__ = ["arm_estimates", "km_medians"]

logger = logging.getLogger(__name__)


def km_medians(time: np.ndarray, event: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Kaplan-Meier median per row of (rows, n) arrays; ``mask`` false = not in the curve.

    NaN where the curve never reaches 0.5 (R prints NA).
    """
    key = np.where(mask, time, np.inf)
    order = np.lexsort((1.0 - event, key), axis=-1)
    time_sorted = np.take_along_axis(key, order, axis=-1)
    event_sorted = np.take_along_axis(np.where(mask, event, 0.0), order, axis=-1)
    n_left = mask.sum(axis=-1, keepdims=True) - np.arange(time.shape[-1])[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(event_sorted > 0, 1.0 - event_sorted / n_left, 1.0)
    survival = np.cumprod(factor, axis=-1)
    reached = (survival < 0.5 + TOLERANCE) & (event_sorted > 0)
    found = reached.any(axis=-1)
    first = np.argmax(reached, axis=-1)
    first_time = np.take_along_axis(time_sorted, first[:, None], axis=-1)[:, 0]
    run_end = (time_sorted <= first_time[:, None]).sum(axis=-1) - 1
    level = np.take_along_axis(survival, run_end[:, None], axis=-1)[:, 0]
    drops = (survival < level[:, None]) & (event_sorted > 0)
    next_drop = np.take_along_axis(time_sorted, np.argmax(drops, axis=-1)[:, None], axis=-1)[:, 0]
    at_half = (np.abs(level - 0.5) < TOLERANCE) & drops.any(axis=-1)
    median = np.where(at_half, (first_time + next_drop) / 2.0, first_time)
    return np.where(found, median, np.nan)


def arm_estimates(data: AnalysisData, arm: np.ndarray, rows: np.ndarray, scenario: Scenario
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Kaplan-Meier landmark rates and medians per arm for the trials ``rows`` of ``data``.

    Returns arrays of shape (len(rows), n_arms, n_landmarks) and (len(rows), n_arms); NaN where
    a landmark lies beyond an arm's last time or its median is not reached.
    """
    n_arms = len(scenario.arms)
    per_arm_mask = np.stack([data.included[rows] & (arm[rows] == k) for k in range(n_arms)], axis=1)
    shape = per_arm_mask.shape
    time = np.broadcast_to(data.time[rows][:, None, :], shape)
    event = np.broadcast_to(data.event[rows][:, None, :], shape)
    landmark = batch.km_at(time, event, np.asarray(scenario.landmarks, dtype=float), mask=per_arm_mask)
    medians = km_medians(time.reshape(-1, shape[-1]), event.reshape(-1, shape[-1]),
                         per_arm_mask.reshape(-1, shape[-1])).reshape(shape[:2])
    logger.debug("KM estimates for %d trials", len(rows))
    return np.asarray(landmark), medians
