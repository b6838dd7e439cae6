"""``batch.logrank_test``: the two-arm G-rho log-rank test for many trials at once.

Each trial's risk table at its event times (at risk and events per arm, :mod:`._event_runs`,
the table ``batch.cox_ph`` uses) is laid out as one row of ``(trials, 2, event times)``
arrays; the sums over event times are those of :func:`trialdesk.survival.logrank_test` (same
kernel, ``_logrank_kernel``), so results agree with it in a loop to 1e-10. Trials run in
chunks (``_rows.for_each_chunk``), so memory stays bounded.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from trialdesk.survival._km_kernel import product_limit
from trialdesk.survival._logrank_kernel import check_rho, chisq_statistic, logrank_sums, p_value
from trialdesk.survival._read_only import read_only
from trialdesk.survival.batch._event_runs import ArmTables, chunk_tables
from trialdesk.survival.batch._rows import as_batch_input, check_workers, for_each_chunk

__all__ = ["BatchLogRankTest", "LogRankChunks", "logrank_test"]

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


class LogRankChunks:
    """Per-trial log-rank results of a batch, filled chunk by chunk (chunks write disjoint rows)."""

    def __init__(self, n_trials: int, rho: float):
        self.rho = rho
        self.chisq, self.df = np.empty(n_trials), np.empty(n_trials, dtype=np.int64)
        self.observed, self.expected = np.empty((n_trials, 2)), np.empty((n_trials, 2))

    def fill(self, rows: slice, tables: ArmTables) -> None:
        """Test the trials ``rows`` from their per-arm tables."""
        weight = None
        if self.rho != 0:  # S(t-)^rho of the pooled Kaplan-Meier
            survival = product_limit(tables.n_risk.sum(axis=1), tables.n_event.sum(axis=1))
            weight = np.ones(survival.shape)
            weight[:, 1:] = survival[:, :-1] ** self.rho
        sums = logrank_sums(tables.n_risk, tables.n_event, weight)
        self.chisq[rows], self.df[rows] = chisq_statistic(sums)
        self.observed[rows], self.expected[rows] = sums.observed, sums.expected

    def result(self, lead: tuple[int, ...]) -> BatchLogRankTest:
        """The filled results, shaped by the inputs' leading axes."""
        return BatchLogRankTest(chisq=read_only(self.chisq.reshape(lead)),
                                df=read_only(self.df.reshape(lead)),
                                p_value=read_only(p_value(self.chisq, self.df).reshape(lead)),
                                observed=read_only(self.observed.reshape((*lead, 2))),
                                expected=read_only(self.expected.reshape((*lead, 2))))


def logrank_test(time: ArrayLike, event: ArrayLike, arm: ArrayLike, mask: ArrayLike | None = None,
                 *, rho: float = 0.0, workers: int = 1) -> BatchLogRankTest:
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
    workers
        Threads that analyse chunks of trials at once (default 1). Results are identical bit
        for bit whatever the number; more than the free cores only adds overhead.

    Examples
    --------
    >>> lr = logrank_test([[1, 2, 3, 4]] * 3, [[1, 1, 1, 0]] * 3, [[0, 1, 0, 1]] * 3)
    >>> lr.chisq.shape, bool(lr.chisq[0] == lr.chisq[2])
    ((3,), True)
    """
    rho, workers = check_rho(rho), check_workers(workers)
    batch = as_batch_input(time, event, arm, mask)
    n_trials, n = batch.time.shape
    output = LogRankChunks(n_trials, rho)
    width = batch.most_events()

    def work(rows: slice) -> None:
        output.fill(rows, chunk_tables(batch, rows, width)[1])

    for_each_chunk(n_trials, n, work, workers=workers)
    logger.debug("batch.logrank_test: %d trials of %d patients", n_trials, n)
    return output.result(batch.lead_shape)
