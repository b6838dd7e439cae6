"""``batch.km_at``: Kaplan-Meier survival at landmark times for many trials at once.

The product-limit values are those of :func:`trialdesk.survival.kaplan_meier` (same kernel,
``_km_kernel.product_limit``), so ``km_at`` agrees with ``kaplan_meier(...).at(times)`` in a loop
to 1e-10. Trials run in chunks of about half a million patient cells.
"""

from __future__ import annotations

import logging

import numpy as np
from numpy.typing import ArrayLike

from trialdesk.survival._validation import as_time_array
from trialdesk.survival.batch._rows import as_batch_input, row_chunks, sort_rows, survival_after

__all__ = ["km_at"]

logger = logging.getLogger(__name__)


def km_at(time: ArrayLike, event: ArrayLike, times: ArrayLike,
          mask: ArrayLike | None = None) -> np.ndarray:
    """Kaplan-Meier S(t) at each landmark in ``times``, per trial.

    Matches R: ``summary(survfit(Surv(time, event) ~ 1), times = times)$surv`` for each trial.

    Parameters
    ----------
    time, event
        Arrays of shape ``(..., n)``: leading axes index trials, the last axis patients;
        ``event`` is 0/1 (or booleans).
    times
        1-D landmark times in the unit of ``time``.
    mask
        Optional booleans of the same shape: false marks padding; padded cells may hold anything.

    Returns
    -------
    numpy.ndarray
        Shape ``(..., len(times))``: S at each landmark (1 before a trial's first time; NaN
        beyond its last observed time, as ``KaplanMeier.at``).

    Examples
    --------
    >>> km_at([[1, 2, 3, 4], [1, 1, 3, 4]], [[1, 0, 1, 1], [1, 1, 0, 1]], [0.5, 1, 3]).tolist()
    [[1.0, 0.75, 0.375], [1.0, 0.5, 0.5]]
    """
    landmarks = as_time_array(times, name="times")
    batch = as_batch_input(time, event, None, mask)
    n_trials, n = batch.time.shape
    out = np.empty((n_trials, landmarks.shape[0]))
    for rows in row_chunks(n_trials, n):
        sorted_rows, _ = sort_rows(batch.time[rows], batch.event[rows], batch.valid[rows])
        passed = (sorted_rows.time[:, :, None] <= landmarks).sum(axis=1)
        survival = np.take_along_axis(survival_after(sorted_rows), np.maximum(passed - 1, 0),
                                      axis=1)
        survival = np.where(passed == 0, 1.0, survival)
        n_valid = batch.valid[rows].sum(axis=1)
        last_time = np.take_along_axis(sorted_rows.time, np.maximum(n_valid - 1, 0)[:, None],
                                       axis=1)
        beyond = (landmarks > last_time) | (n_valid == 0)[:, None]
        out[rows] = np.where(beyond, np.nan, survival)
    logger.debug("batch.km_at: %d trials, %d landmarks", n_trials, landmarks.shape[0])
    return out.reshape((*batch.lead_shape, landmarks.shape[0]))
