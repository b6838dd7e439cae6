"""Robust (sandwich) variance of a Cox fit and R's robust score test, optionally by cluster.

R: ``coxph(..., robust = TRUE)`` or ``cluster(id)``. The dfbeta residuals are the score
residuals times the model variance; summed within each cluster (every row its own cluster by
default) they give ``D``, and the robust variance is ``D' D`` with no small-sample factor.
The robust score test takes the score residuals at beta = 0, summed by cluster (``U``), and
computes ``u' (U'U)^-1 u`` with ``u`` their column sums (R's ``fit$rscore``;
docs/methods.md#robust-variance).
"""

from __future__ import annotations

import logging

import numpy as np

from trialdesk.survival.cox._model import CoxModelData
from trialdesk.survival.cox._newton import solve_symmetric
from trialdesk.survival.cox._partial_likelihood import risk_set_sums, score_residuals

__all__ = ["robust_score_statistic", "robust_variance"]

logger = logging.getLogger(__name__)


def _cluster_residuals(model: CoxModelData, coef: np.ndarray, cluster: np.ndarray) -> np.ndarray:
    """Score residuals at ``coef`` summed within clusters: ``(n_clusters, p)``."""
    beta = np.broadcast_to(coef, (model.X.shape[0], coef.shape[0]))
    sums = risk_set_sums(model.risk_sets, model.X, beta, ties=model.ties)
    residuals = model.flat(score_residuals(model.risk_sets, model.X, sums))
    collapsed = np.zeros((int(cluster.max()) + 1, coef.shape[0]))
    np.add.at(collapsed, cluster, residuals)
    return collapsed


def robust_variance(model: CoxModelData, variance: np.ndarray, cluster: np.ndarray) -> np.ndarray:
    """Sandwich variance ``D'D``; ``cluster`` holds integer cluster codes in row order of the fit."""
    dfbeta = _cluster_residuals(model, model.coef, cluster) @ variance
    return dfbeta.T @ dfbeta


def robust_score_statistic(model: CoxModelData, cluster: np.ndarray) -> float:
    """R's robust score test statistic at beta = 0 (chi-square with p degrees of freedom)."""
    residuals = _cluster_residuals(model, np.zeros_like(model.coef), cluster)
    u = residuals.sum(axis=0)
    step = solve_symmetric((residuals.T @ residuals)[None], u[None])[0]
    return float(u @ step)
