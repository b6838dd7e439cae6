"""``batch.logrank_and_cox``: the log-rank test and the Cox fit of the same trials, from one sort.

Both analyses read the same per-trial risk tables at the event times (:mod:`._event_runs`);
computing them once, and checking the inputs once, makes the pair about a third cheaper than
:func:`~trialdesk.survival.batch.logrank_test` and :func:`~trialdesk.survival.batch.cox_ph`
called one after the other, with identical results (docs/methods.md#batch-forms).
"""

from __future__ import annotations

import logging

from numpy.typing import ArrayLike

from trialdesk.survival._logrank_kernel import check_rho
from trialdesk.survival.batch._event_runs import chunk_tables
from trialdesk.survival.batch._rows import as_batch_input, check_workers, for_each_chunk
from trialdesk.survival.batch.cox import BatchCoxFit, CoxChunks
from trialdesk.survival.batch.logrank import BatchLogRankTest, LogRankChunks
from trialdesk.survival.cox._risk_sets import Ties

__all__ = ["logrank_and_cox"]

logger = logging.getLogger(__name__)


def logrank_and_cox(time: ArrayLike, event: ArrayLike, arm: ArrayLike, mask: ArrayLike | None = None,
                    *, rho: float = 0.0, ties: Ties = "efron", workers: int = 1
                    ) -> tuple[BatchLogRankTest, BatchCoxFit]:
    """Log-rank (G-rho) test and Cox fit of a 0/1 ``arm`` in each trial.

    The same results as ``(logrank_test(time, event, arm, mask, rho=rho),
    cox_ph(time, event, arm, mask, ties=ties))``, bit for bit, for the cost of one sort of
    the trials (R: ``survdiff(Surv(time, event) ~ arm, rho = rho)`` and
    ``coxph(Surv(time, event) ~ arm, ties = ties)`` per trial).

    Parameters
    ----------
    time, event, arm, mask
        As :func:`~trialdesk.survival.batch.logrank_test`: ``(..., n)`` arrays, leading axes
        index trials; ``event`` and ``arm`` 0/1 (or booleans); ``mask`` false on padding.
    rho
        G-rho exponent of the log-rank test (0 = log-rank, 1 = Peto-Peto).
    ties
        Ties of the Cox fit: ``"efron"`` (default, as R) or ``"breslow"``.
    workers
        Threads that analyse chunks of trials at once (default 1). Results are identical bit
        for bit whatever the number; more than the free cores only adds overhead.

    Examples
    --------
    >>> logrank, cox = logrank_and_cox([[1, 2, 3, 4]] * 2, [[1, 1, 1, 0]] * 2, [[0, 1, 0, 1]] * 2)
    >>> logrank.chisq.shape, cox.coef.shape
    ((2,), (2,))
    """
    rho, workers = check_rho(rho), check_workers(workers)
    batch = as_batch_input(time, event, arm, mask)
    n_trials, n = batch.time.shape
    logrank, cox = LogRankChunks(n_trials, rho), CoxChunks(n_trials, ties)
    width = batch.most_events()

    def work(rows: slice) -> None:
        runs, tables = chunk_tables(batch, rows, width)
        logrank.fill(rows, tables)
        cox.fill(rows, runs, tables)

    for_each_chunk(n_trials, n, work, workers=workers)
    logger.debug("batch.logrank_and_cox: %d trials of %d patients", n_trials, n)
    return logrank.result(batch.lead_shape), cox.result(batch.lead_shape)
