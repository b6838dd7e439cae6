"""Pocock-Simon minimisation with a random element; batch-shaped kernels.

For a new patient, the previous patients who share the patient's level of factor ``f`` are
counted by arm (``level_counts[f, a]``). For each candidate arm the patient is added to it
hypothetically and the imbalance of every factor is measured (``range`` or
``marginal_balance`` of ratio-scaled counts, see ``imbalance``); the weighted sum over
factors is the arm's score. The preferred arm has the lowest score (ties broken uniformly at
random). It is assigned with probability ``p_best``; otherwise one of the other arms,
uniformly. When every arm ties (the first patient, say), the assignment is uniform.

Pocock SJ, Simon R. Sequential treatment assignment with balancing for prognostic factors
in the controlled clinical trial. Biometrics 1975;31:103-115.
"""

from __future__ import annotations

import logging

import numpy as np
from numpy.typing import ArrayLike

from trialdesk.randomization.imbalance import Criterion, imbalance

__all__ = ["arm_scores", "choose_arm"]

logger = logging.getLogger(__name__)

_TIE_TOLERANCE = 1e-9


def arm_scores(level_counts: ArrayLike, ratio: ArrayLike, *, criterion: Criterion,
               weights: ArrayLike | None = None) -> np.ndarray:
    """Score per candidate arm: weighted imbalance after adding the patient to that arm.

    level_counts: (..., n_factors, n_arms) counts at the new patient's levels; weights:
    (n_factors,) factor weights (default 1). Returns (..., n_arms).
    """
    counts = np.asarray(level_counts, dtype=np.float64)
    n_factors, n_arms = counts.shape[-2:]
    candidate = counts[..., None, :, :] + np.eye(n_arms)[:, None, :]     # (..., arm, factor, arm)
    per_factor = imbalance(candidate, ratio, criterion=criterion)         # (..., arm, factor)
    factor_weights = np.ones(n_factors) if weights is None else np.asarray(weights, dtype=np.float64)
    return per_factor @ factor_weights


def _nth_true(mask: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Index of the ``n``-th (0-based) true entry along the last axis of ``mask``."""
    return np.argmax(mask & (np.cumsum(mask, axis=-1) == n[..., None] + 1), axis=-1)


def choose_arm(scores: ArrayLike, uniforms: ArrayLike, *, p_best: float) -> np.ndarray:
    """The arm chosen from scores (..., n_arms) and three uniforms (..., 3) per patient.

    ``uniforms[..., 0]`` breaks ties among the best arms, ``[..., 1]`` is the biased coin
    (preferred arm when below ``p_best``), ``[..., 2]`` picks among the other arms.
    """
    scores = np.asarray(scores, dtype=np.float64)
    u = np.asarray(uniforms, dtype=np.float64)
    n_arms = scores.shape[-1]
    best = scores <= scores.min(axis=-1, keepdims=True) + _TIE_TOLERANCE
    n_best = best.sum(axis=-1)
    preferred = _nth_true(best, np.floor(u[..., 0] * n_best).astype(np.int64))
    others = np.arange(n_arms) != preferred[..., None]
    other = _nth_true(others, np.floor(u[..., 2] * (n_arms - 1)).astype(np.int64))
    keep = (n_best == n_arms) | (u[..., 1] < p_best)
    return np.where(keep, preferred, other)
