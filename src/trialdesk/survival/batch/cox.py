"""``batch.cox_ph``: the Efron log hazard ratio of a binary arm for many trials at once.

Each trial is one block of the Cox kernels (:mod:`trialdesk.survival.cox._risk_sets`): every
trial's patients are sorted by time along the last axis, and one vectorised Newton-Raphson
(:mod:`trialdesk.survival.cox._newton`) follows each trial's own path, exactly as
:func:`trialdesk.survival.cox_ph` does for one trial. Trials are processed in chunks of 65,536
patient cells (cache-sized), so memory stays bounded whatever the number of trials, and
trials leave the iteration once converged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import cast

import numpy as np
from numpy.typing import ArrayLike

from trialdesk.survival.batch._rows import as_batch_input
from trialdesk.survival.cox._newton import fit_newton
from trialdesk.survival.cox._risk_sets import Ties, build_risk_sets, sort_blocks

__all__ = ["BatchCoxFit", "cox_ph"]

logger = logging.getLogger(__name__)

#: Patient cells per chunk: small enough that the working arrays stay in cache (~0.5 MB each).
CHUNK_CELLS = 1 << 16


@dataclass(frozen=True, slots=True)
class BatchCoxFit:
    """Per-trial Cox fits of ``arm`` (shape = the leading shape of the inputs).

    Attributes
    ----------
    coef
        Log hazard ratio of arm 1 versus arm 0; NaN where it cannot be estimated (no events,
        or one arm only). A trial where one arm has no events has a large finite coef, as R's
        coxph stops at (monotone likelihood; ``converged`` is still true there, as in R).
    se
        Model-based standard error (inverse information).
    converged
        Whether the log-likelihood converged within 20 iterations.
    """

    coef: np.ndarray
    se: np.ndarray
    converged: np.ndarray


def _fit_chunk(time: np.ndarray, death: np.ndarray, arm: np.ndarray, valid: np.ndarray,
               ties: Ties) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fit ``(T, n)`` trials; returns coef, se, converged of shape ``(T,)``."""
    n_trials, n = time.shape
    flat_order = (sort_blocks(time, death, valid) + (np.arange(n_trials) * n)[:, None]).ravel()
    time, death, arm, valid = (a.ravel()[flat_order].reshape(n_trials, n) for a in (time, death, arm, valid))
    n_valid = valid.sum(axis=1)
    mean_arm = np.where(valid, arm, 0.0).sum(axis=1) / np.maximum(n_valid, 1)
    centred = np.where(valid, arm - mean_arm[:, None], 0.0)[..., None]
    risk_sets = build_risk_sets(time, death, valid)
    newton = fit_newton(risk_sets, centred, np.arange(time.shape[0]), ties=ties)
    variance = newton.variance[:, 0, 0]
    estimable = np.isfinite(variance) & (variance > 0) & (newton.information_null[:, 0, 0] > 0)
    coef = np.where(estimable, newton.coef[:, 0], np.nan)
    se = np.where(estimable, np.sqrt(np.where(estimable, variance, 1.0)), np.nan)
    return coef, se, newton.converged & estimable


def cox_ph(time: ArrayLike, event: ArrayLike, arm: ArrayLike, mask: ArrayLike | None = None, *,
           ties: Ties = "efron") -> BatchCoxFit:
    """Cox log hazard ratio of a 0/1 ``arm`` and its standard error, per trial.

    Identical (to 1e-10) to ``trialdesk.survival.cox_ph(time[i], event[i], arm[i])`` in a loop
    (R: ``coxph(Surv(time, event) ~ arm, ties = "efron")``), vectorised over trials.

    Parameters
    ----------
    time, event, arm
        Arrays of shape ``(..., n)``: leading axes index trials (e.g. trials x looks), the last
        axis patients. ``event`` and ``arm`` are 0/1 (or booleans).
    mask
        Optional ``(..., n)`` booleans: false marks padding (trials of unequal size); padded
        cells may hold anything.
    ties
        ``"efron"`` (default, as R) or ``"breslow"``.

    Returns
    -------
    BatchCoxFit
        ``coef``, ``se`` and ``converged`` with the inputs' leading shape.

    Examples
    --------
    >>> fit = cox_ph([[1, 2, 3, 4], [1, 2, 3, 4]], [[1, 1, 1, 0], [1, 1, 1, 0]],
    ...              [[0, 1, 0, 1], [0, 1, 0, 1]])
    >>> bool(fit.coef[0] == fit.coef[1])
    True
    """
    rows = as_batch_input(time, event, arm, mask)
    arm_rows = cast(np.ndarray, rows.arm)  # given, so checked and present
    n_trials, n = rows.time.shape
    coef, se, converged = np.empty(n_trials), np.empty(n_trials), np.empty(n_trials, dtype=bool)
    step = max(1, CHUNK_CELLS // max(n, 1))
    for first in range(0, n_trials, step):
        chunk = slice(first, min(first + step, n_trials))
        coef[chunk], se[chunk], converged[chunk] = _fit_chunk(
            rows.time[chunk], rows.event[chunk], arm_rows[chunk], rows.valid[chunk], ties)
    logger.debug("batch.cox_ph: %d trials of %d patients in chunks of %d", n_trials, n, step)
    lead = rows.lead_shape
    return BatchCoxFit(coef=coef.reshape(lead), se=se.reshape(lead), converged=converged.reshape(lead))
