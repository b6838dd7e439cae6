"""``batch.cox_ph``: the Efron log hazard ratio of a binary arm for many trials at once.

With one 0/1 covariate every risk score is 1 (arm 0) or ``r = exp(beta)`` (arm 1), so the
partial likelihood, score and information of a trial are functions of its risk table at the
event times (at risk and events per arm, :mod:`._event_runs`, the table the log-rank test
uses): no per-patient work is left in the Newton iteration. One vectorised Newton-Raphson
(:func:`trialdesk.survival.cox._newton.newton_raphson`) follows each trial's own path, exactly
as :func:`trialdesk.survival.cox_ph` does for one trial (docs/methods.md#cox); trials leave the
iteration once converged. Trials run in chunks (``_rows.for_each_chunk``), so memory stays
bounded whatever the number of trials.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from trialdesk.survival.batch._event_runs import (
    ArmTables,
    EventRuns,
    chunk_tables,
    per_trial_layout,
)
from trialdesk.survival.batch._rows import as_batch_input, check_workers, for_each_chunk
from trialdesk.survival.cox._newton import newton_raphson
from trialdesk.survival.cox._risk_sets import Ties

__all__ = ["BatchCoxFit", "CoxChunks", "cox_ph"]

logger = logging.getLogger(__name__)


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


class _TwoArmLikelihood:
    """Partial log-likelihood, score and information of a 0/1 arm, per trial.

    The k-th (k = 0 .. d-1) of d deaths tied at t has the denominator ``a0 + a1 r`` with
    ``a_g = n_risk_g - (k/d) n_event_g`` in arm g (Efron; k/d = 0 for Breslow;
    docs/methods.md#efron). With ``D1`` deaths in arm 1 and ``p = a1 r / (a0 + a1 r)`` summed
    over deaths: log-likelihood ``beta D1 - sum log(a0 + a1 r)``, score ``D1 - sum p``,
    information ``sum p (1 - p)``. These are cox_ph's values (its centring of the covariate
    cancels). ``arm0``, ``arm1`` ``(T, width)`` hold a trial's terms in a row: the first death
    of each event time in the columns of the per-arm tables, later tied deaths after the last
    event time; padding (a0 = 1, a1 = 0) adds 0.
    """

    def __init__(self, runs: EventRuns, tables: ArmTables, ties: Ties):
        self.arm0, self.arm1 = tables.n_risk[:, 0].copy(), tables.n_risk[:, 1].copy()
        self.events_arm1 = tables.n_event[:, 1].sum(axis=1)
        self._add_later_tied_deaths(runs, ties)

    def _add_later_tied_deaths(self, runs: EventRuns, ties: Ties) -> None:
        """The terms k = 1 .. d-1 of each time with d > 1 deaths."""
        tied = np.flatnonzero(runs.n_event > 1)
        if tied.shape[0] == 0:
            return
        later = runs.n_event[tied] - 1
        run = np.repeat(tied, later)
        k = 1 + np.arange(run.shape[0]) - np.repeat(np.cumsum(later) - later, later)
        fraction = k / runs.n_event[run] if ties == "efron" else np.zeros(run.shape[0])
        trial = runs.trial[run]
        event_times = np.bincount(runs.trial, minlength=runs.n_trials)
        cell = trial * runs.width + event_times[trial] + per_trial_layout(trial, runs.n_trials)
        n_risk_arm0, n_event_arm0 = runs.n_risk - runs.n_risk_arm1, runs.n_event - runs.n_event_arm1
        self.arm0.reshape(-1)[cell] = n_risk_arm0[run] - fraction * n_event_arm0[run]
        self.arm1.reshape(-1)[cell] = runs.n_risk_arm1[run] - fraction * runs.n_event_arm1[run]

    def __call__(self, coef: np.ndarray, trials: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:class:`~trialdesk.survival.cox._newton.Evaluate` at ``coef`` ``(T, 1)``: when fewer
        than half the trials are asked for, only their rows are picked out and computed."""
        picked = 2 * trials.shape[0] < coef.shape[0]
        rows = trials if picked else slice(None)
        beta, events_arm1 = coef[rows, 0], self.events_arm1[rows]
        weighted_arm1 = self.arm1[rows] * np.exp(beta)[:, None]
        denominator = self.arm0[rows] + weighted_arm1
        p = np.divide(weighted_arm1, denominator, out=weighted_arm1)
        loglik = beta * events_arm1 - np.log(denominator, out=denominator).sum(axis=1)
        score = events_arm1 - p.sum(axis=1)
        information = np.einsum("tk,tk->t", p, np.subtract(1.0, p, out=denominator))
        results = (loglik, score[:, None], information[:, None, None])
        if picked or trials.shape[0] == coef.shape[0]:
            return results
        return results[0][trials], results[1][trials], results[2][trials]


class CoxChunks:
    """Per-trial Cox fits of a batch, filled chunk by chunk (chunks write disjoint rows)."""

    def __init__(self, n_trials: int, ties: Ties):
        self.ties = ties
        self.coef, self.se = np.empty(n_trials), np.empty(n_trials)
        self.converged = np.empty(n_trials, dtype=bool)

    def fill(self, rows: slice, runs: EventRuns, tables: ArmTables) -> None:
        """Fit the trials ``rows`` from their event runs and per-arm tables."""
        newton = newton_raphson(_TwoArmLikelihood(runs, tables, self.ties), runs.n_trials, 1)
        variance = newton.variance[:, 0, 0]
        estimable = np.isfinite(variance) & (variance > 0) & (newton.information_null[:, 0, 0] > 0)
        self.coef[rows] = np.where(estimable, newton.coef[:, 0], np.nan)
        self.se[rows] = np.where(estimable, np.sqrt(np.where(estimable, variance, 1.0)), np.nan)
        self.converged[rows] = newton.converged & estimable

    def result(self, lead: tuple[int, ...]) -> BatchCoxFit:
        """The filled results, shaped by the inputs' leading axes."""
        return BatchCoxFit(coef=self.coef.reshape(lead), se=self.se.reshape(lead),
                           converged=self.converged.reshape(lead))


def cox_ph(time: ArrayLike, event: ArrayLike, arm: ArrayLike, mask: ArrayLike | None = None, *,
           ties: Ties = "efron", workers: int = 1) -> BatchCoxFit:
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
    workers
        Threads that fit chunks of trials at once (default 1). Results are identical bit for
        bit whatever the number; more than the free cores only adds overhead.

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
    workers = check_workers(workers)
    batch = as_batch_input(time, event, arm, mask)
    n_trials, n = batch.time.shape
    output = CoxChunks(n_trials, ties)
    width = batch.most_events()

    def work(rows: slice) -> None:
        output.fill(rows, *chunk_tables(batch, rows, width))

    for_each_chunk(n_trials, n, work, workers=workers)
    logger.debug("batch.cox_ph: %d trials of %d patients", n_trials, n)
    return output.result(batch.lead_shape)
