"""``batch.logrank_test``: the two-arm G-rho log-rank test for many trials at once.

Each trial's patients are sorted by time along the last axis; the sums over event times are
those of :func:`trialdesk.survival.logrank_test` (same kernel, ``_logrank_kernel``), so results
agree with it in a loop to 1e-10. Trials run in chunks of about half a million patient cells.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from trialdesk.survival._logrank_kernel import (
    LogRankSums,
    check_rho,
    chisq_statistic,
    logrank_sums,
    p_value,
)
from trialdesk.survival._read_only import read_only
from trialdesk.survival.batch._rows import (
    as_batch_input,
    before_run,
    row_chunks,
    run_sums,
    sort_rows,
    survival_after,
)

__all__ = ["BatchLogRankTest", "logrank_test"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class BatchLogRankTest:
    """Per-trial log-rank tests of arm 0 vs arm 1 (arrays with the inputs' leading shape).

    Attributes
    ----------
    chisq, df, p_value
        As :class:`trialdesk.survival.LogRankTest`: R ``survdiff``'s chi-square, its degrees of
        freedom (0 where only one arm has expected events; chisq is then 0 and p 1, as R) and
        the upper chi-square tail.
    observed, expected
        Shape ``(..., 2)``: events in arm 0 and arm 1, and their expectation under H0
        (weighted by S(t-)^rho when rho != 0).
    """

    chisq: np.ndarray
    df: np.ndarray
    p_value: np.ndarray
    observed: np.ndarray
    expected: np.ndarray


def logrank_test(time: ArrayLike, event: ArrayLike, arm: ArrayLike, mask: ArrayLike | None = None,
                 *, rho: float = 0.0) -> BatchLogRankTest:
    """Log-rank (G-rho) test of a 0/1 ``arm`` in each trial.

    Identical (to 1e-10) to ``trialdesk.survival.logrank_test(time[i], event[i], arm[i], rho=rho)``
    in a loop over trials (R: ``survdiff(Surv(time, event) ~ arm, rho = rho)``), vectorised.

    Parameters
    ----------
    time, event, arm
        Arrays of shape ``(..., n)``: leading axes index trials, the last axis patients.
        ``event`` and ``arm`` are 0/1 (or booleans).
    mask
        Optional booleans of the same shape: false marks padding (trials of unequal size);
        padded cells may hold anything.
    rho
        G-rho exponent (0 = log-rank, 1 = Peto-Peto).

    Examples
    --------
    >>> lr = logrank_test([[1, 2, 3, 4]] * 3, [[1, 1, 1, 0]] * 3, [[0, 1, 0, 1]] * 3)
    >>> lr.chisq.shape, bool(lr.chisq[0] == lr.chisq[2])
    ((3,), True)
    """
    rho = check_rho(rho)
    batch = as_batch_input(time, event, arm, mask)
    n_trials, n = batch.time.shape
    chisq, df = np.empty(n_trials), np.empty(n_trials, dtype=np.int64)
    observed, expected = np.empty((n_trials, 2)), np.empty((n_trials, 2))
    for rows in row_chunks(n_trials, n):
        sums = _chunk_sums(batch.time[rows], batch.event[rows], batch.arm[rows],
                           batch.valid[rows], rho)
        chisq[rows], df[rows] = chisq_statistic(sums)
        observed[rows], expected[rows] = sums.observed, sums.expected
    logger.debug("batch.logrank_test: %d trials of %d patients", n_trials, n)
    lead = batch.lead_shape
    return BatchLogRankTest(chisq=read_only(chisq.reshape(lead)), df=read_only(df.reshape(lead)),
                            p_value=read_only(p_value(chisq, df).reshape(lead)),
                            observed=read_only(observed.reshape((*lead, 2))),
                            expected=read_only(expected.reshape((*lead, 2))))


def _chunk_sums(time: np.ndarray, event: np.ndarray, arm: np.ndarray, valid: np.ndarray,
                rho: float) -> LogRankSums:
    """Log-rank sums of ``(T, n)`` trials: arrays (T, 2), (T, 2), (T, 2, 2)."""
    rows, (in_arm_1,) = sort_rows(time, event, valid, np.where(valid, arm, 0.0))
    risk_1 = in_arm_1.sum(axis=1, keepdims=True) - before_run(in_arm_1, rows.run_first)
    event_1 = np.where(rows.run_last, run_sums(in_arm_1 * rows.event, rows.run_first), 0.0)
    n_risk = np.stack([rows.n_risk - risk_1, risk_1], axis=1)
    n_event = np.stack([rows.n_event - event_1, event_1], axis=1)
    weight = None
    if rho != 0:
        weight = np.ones(time.shape)
        weight[:, 1:] = survival_after(rows)[:, :-1] ** rho
    return logrank_sums(n_risk, n_event, weight)
