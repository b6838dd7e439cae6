"""Restricted mean survival time: the area under a Kaplan-Meier curve from 0 to tau.

As R's ``print(survfit, rmean = tau)`` (``survmean`` in R/survfit.R); docs/methods.md#rmst.
"""

from __future__ import annotations

import logging

import numpy as np

from trialdesk.survival._km_kernel import greenwood_terms

__all__ = ["restricted_mean"]

logger = logging.getLogger(__name__)


def restricted_mean(time: np.ndarray, survival: np.ndarray, n_risk: np.ndarray,
                    n_event: np.ndarray, tau: float) -> tuple[float, float]:
    """RMST up to ``tau`` and its standard error.

    time, survival, n_risk, n_event: (k,) per distinct time, sorted. The last step is extended
    to ``tau`` when ``tau`` lies beyond the last time. The variance sums, over times t_i <= tau,
    A_i^2 d_i / (n_i (n_i - d_i)), where A_i is the area under the curve from t_i to tau; terms
    with n_i = d_i count 0 (R's rule).
    """
    keep = int(np.searchsorted(time, tau, side="right"))
    knots = np.append(time[:keep], tau)
    heights = np.concatenate(([1.0], survival[:keep]))
    rectangles = np.diff(knots, prepend=0.0) * heights
    estimate = float(rectangles.sum())
    terms = greenwood_terms(n_risk[:keep], n_event[:keep])
    terms[n_risk[:keep] == n_event[:keep]] = 0.0
    area_after = np.cumsum(rectangles[::-1])[::-1][1:]
    return estimate, float(np.sqrt(np.sum(area_after**2 * terms)))
