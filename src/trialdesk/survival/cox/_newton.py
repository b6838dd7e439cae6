"""Newton-Raphson with step halving for many Cox fits at once (one per trial).

The iteration is R's coxfit6 (survival 3.5): start from 0, take full Newton steps; a step whose
log-likelihood is not finite or lower than the best so far is pulled back towards the last
good point (the h-th time by ``(new + h * old) / (h + 1)``); converged when
``|1 - best / new| <= eps`` (eps = 1e-9), at most 20 iterations. Every trial follows its own
path, vectorised: a batch of identical trials gives identical answers, and a single trial is
a batch of one (docs/methods.md#cox). The loop (:func:`newton_raphson`) takes any
:class:`Evaluate`: the kernels on sorted blocks (:func:`fit_newton`, used by ``cox_ph``) or the
two-arm risk tables of ``batch.cox_ph``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from trialdesk.survival.cox._partial_likelihood import Workspace, death_time_sums, information, loglik, score
from trialdesk.survival.cox._risk_sets import RiskSets, Ties

__all__ = ["EPS", "MAX_ITERATIONS", "Evaluate", "NewtonFit", "fit_newton", "newton_raphson",
           "solve_symmetric"]

logger = logging.getLogger(__name__)

#: R's coxph.control() defaults.
EPS = 1e-9
MAX_ITERATIONS = 20


@dataclass(frozen=True, slots=True)
class NewtonFit:
    """Per-trial results (leading axis = trial).

    ``score`` is the score vector at the final coefficients (R's ``coxfit$u``), used to detect
    coefficients running to infinity; ``score_test`` is the score test at the start (0).
    """

    coef: np.ndarray          # (T, p)
    variance: np.ndarray      # (T, p, p) inverse information at coef
    loglik_null: np.ndarray   # (T,) at the start
    information_null: np.ndarray  # (T, p, p) at the start
    loglik_final: np.ndarray  # (T,)
    score: np.ndarray         # (T, p)
    score_test: np.ndarray    # (T,)
    iterations: np.ndarray    # (T,) int
    converged: np.ndarray     # (T,) bool


def solve_symmetric(matrix: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """Solve ``matrix @ x = rhs`` for stacks ``(T, p, p)``, ``(T, p)``; NaN where singular."""
    if matrix.shape[-1] == 1:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(matrix[:, 0] > 0, rhs / matrix[:, 0], np.nan)
    try:
        return np.linalg.solve(matrix, rhs[..., None])[..., 0]
    except np.linalg.LinAlgError:
        out = np.full(rhs.shape, np.nan)
        for trial in range(matrix.shape[0]):
            try:
                out[trial] = np.linalg.solve(matrix[trial], rhs[trial])
            except np.linalg.LinAlgError:
                continue
        return out


def _invert(matrix: np.ndarray) -> np.ndarray:
    """Inverse of each symmetric matrix; NaN where singular."""
    eye = np.broadcast_to(np.eye(matrix.shape[-1]), matrix.shape)
    return np.stack([solve_symmetric(matrix, eye[..., j]) for j in range(matrix.shape[-1])], axis=-1)


class Evaluate(Protocol):
    """Log-likelihood ``(t,)``, score ``(t, p)`` and information ``(t, p, p)`` of ``trials``.

    ``trials`` holds sorted trial indices; each is evaluated at its row of ``coef`` (``(T, p)``).
    """

    def __call__(self, coef: np.ndarray, trials: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]: ...


class _RiskSetEvaluator:
    """:class:`Evaluate` on sorted blocks (:mod:`._risk_sets`); blocks of one trial are summed.

    Every evaluation reuses one :class:`Workspace` (no large allocation per Newton step).
    """

    def __init__(self, risk_sets: RiskSets, X: np.ndarray, block_trial: np.ndarray, ties: Ties):
        self.risk_sets, self.X, self.ties = risk_sets, X, ties
        self.work = Workspace.allocate(risk_sets, X)
        self.block_trial = block_trial
        self.starts = np.flatnonzero(np.r_[True, block_trial[1:] != block_trial[:-1]])

    def __call__(self, coef: np.ndarray, trials: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        risk_sets, X = self.risk_sets, self.X
        sums = death_time_sums(risk_sets, X, coef[self.block_trial], ties=self.ties, work=self.work)
        results = (loglik(risk_sets, sums), score(risk_sets, X, sums),
                   information(risk_sets, X, sums, self.work))
        if self.block_trial.shape[0] != coef.shape[0]:  # several blocks (strata) per trial
            results = tuple(np.add.reduceat(values, self.starts, axis=0) for values in results)
        if trials.shape[0] == coef.shape[0]:
            return results  # type: ignore[return-value]
        return tuple(values[trials] for values in results)  # type: ignore[return-value]


def fit_newton(risk_sets: RiskSets, X: np.ndarray, block_trial: np.ndarray, *, ties: Ties,
               max_iterations: int = MAX_ITERATIONS, eps: float = EPS) -> NewtonFit:
    """Maximise the partial likelihood of every trial.

    Parameters
    ----------
    risk_sets
        Sorted blocks (see :mod:`._risk_sets`), ``(B, m)``.
    X
        ``(B, m, p)`` centred covariates, zero on padding.
    block_trial
        ``(B,)`` non-decreasing trial index of each block (blocks of a trial share coef).
    """
    evaluate = _RiskSetEvaluator(risk_sets, X, block_trial, ties)
    return newton_raphson(evaluate, int(block_trial[-1]) + 1, X.shape[-1],
                          max_iterations=max_iterations, eps=eps)


def newton_raphson(evaluate: Evaluate, n_trials: int, n_coef: int, *,
                   max_iterations: int = MAX_ITERATIONS, eps: float = EPS) -> NewtonFit:
    """R's coxfit6 iteration (module docstring) for ``n_trials`` fits of ``n_coef`` coefficients.

    Trials that have converged leave the iteration: later calls of ``evaluate`` ask only for
    the others.
    """
    every_trial = np.arange(n_trials)
    coef = np.zeros((n_trials, n_coef))
    loglik0, u0, info0 = evaluate(coef, every_trial)
    step = solve_symmetric(info0, u0)
    score_test = np.sum(u0 * step, axis=1)
    new_coef = coef + np.nan_to_num(step)
    best = loglik0.copy()
    halving = np.zeros(n_trials)
    done = np.zeros(n_trials, dtype=bool)
    final_coef, final_loglik = coef.copy(), loglik0.copy()
    final_u, final_info = u0.copy(), info0.copy()
    iterations = np.full(n_trials, max_iterations + 1)  # R counts one past the limit
    for iteration in range(1, max_iterations + 1):
        active = np.flatnonzero(~done)
        new_loglik, u, info = evaluate(new_coef, active)
        finite = (np.isfinite(new_loglik) & np.all(np.isfinite(u), axis=1)
                  & np.all(np.isfinite(info), axis=(1, 2)))
        with np.errstate(divide="ignore", invalid="ignore"):
            close = np.abs(1.0 - best[active] / new_loglik) <= eps
        converged = finite & close
        finished = active[converged]
        final_coef[finished], final_loglik[finished] = new_coef[finished], new_loglik[converged]
        final_u[finished], final_info[finished] = u[converged], info[converged]
        iterations[finished] = iteration
        done[finished] = True
        if done.all():
            break
        going = ~converged
        trials = active[going]
        worse = ~finite[going] | (new_loglik[going] < best[trials])
        halving[trials] = np.where(worse, halving[trials] + 1, 0.0)
        weight = halving[trials, None]
        pulled_back = (new_coef[trials] + weight * coef[trials]) / (weight + 1.0)
        step = np.nan_to_num(solve_symmetric(info[going], u[going]))
        best[trials] = np.where(worse, best[trials], new_loglik[going])
        coef[trials] = np.where(worse[:, None], coef[trials], new_coef[trials])
        new_coef[trials] = np.where(worse[:, None], pulled_back, new_coef[trials] + step)
    if not done.all():
        stuck = np.flatnonzero(~done)
        final_loglik[stuck], final_u[stuck], final_info[stuck] = evaluate(coef, stuck)
        final_coef[stuck] = coef[stuck]
    return NewtonFit(coef=final_coef, variance=_invert(final_info), loglik_null=loglik0,
                     information_null=info0, loglik_final=final_loglik, score=final_u,
                     score_test=score_test, iterations=iterations, converged=done)
