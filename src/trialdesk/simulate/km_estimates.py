"""Per-arm Kaplan-Meier estimates of many simulated trials: landmark rates with CIs, and medians.

Thin over the engine's batch forms: landmark rates and their 95% CIs come from
``batch.km_ci_at`` (R: ``summary(survfit(...), times = landmarks)``, Greenwood standard error
of -log S, the "log" transform, R's default), medians from ``batch.km_median`` (R's
``print(survfit)`` rule: the first time S(t) <= 0.5, or, where S equals 0.5 within
sqrt(machine epsilon) until a later drop, the midpoint of the two times; NaN when not
reached). Each trial-arm pair is one row of the batch (docs/simulate.md#analyses).
"""

from __future__ import annotations

import logging

import numpy as np

from trialdesk.simulate.cutoff import AnalysisData
from trialdesk.simulate.scenario import Scenario
from trialdesk.survival import batch

__all__ = ["arm_estimates"]

logger = logging.getLogger(__name__)


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
    at = batch.km_ci_at(time, event, landmarks, mask=per_arm_mask, conf_type="log",
                        conf_level=0.95)
    truth = np.stack([a.rfs.survival(landmarks) for a in scenario.arms])[None, :, :]
    defined = np.isfinite(at.lower) & np.isfinite(at.upper)
    covered = np.where(defined, (at.lower <= truth) & (truth <= at.upper), np.nan)
    medians = batch.km_median(time, event, per_arm_mask).median
    logger.debug("KM estimates for %d trials", len(rows))
    return at.survival, covered, medians
