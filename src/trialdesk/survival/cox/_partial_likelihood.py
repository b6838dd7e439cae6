"""Cox partial likelihood, score and information on sorted blocks, Efron or Breslow ties.

Shapes: ``X`` is ``(B, m, p)`` float64, centred, zero on padding rows; ``beta`` is ``(B, p)``
(one coefficient vector per block; blocks of one trial share it). Rows are sorted as
:mod:`._risk_sets` describes. All work is O(B m p^2) numpy: risk-set sums are reverse
cumulative sums, taken at the first row of each tied run (docs/methods.md#efron).

For the k-th (k = 0..d-1) of d deaths tied at t, Efron's denominator is
``S0(t) - (k/d) D0(t)`` and its mean covariate ``(S1 - (k/d) D1) / denominator``, where S is
summed over the risk set and D over the tied deaths (Breslow: k/d = 0). The information
``sum_k [(S2 - (k/d) D2)/denominator_k - zbar_k zbar_k']`` is never formed per time: each
row's ``r x x'`` is weighted by the summed ``1/denominator`` of the deaths it was at risk for,
which is one cumulative sum (the same identity as R's coxfit6 running sums).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from trialdesk.survival.cox._risk_sets import RiskSets, Ties, forward_cumsum

__all__ = ["RiskSetSums", "information", "loglik", "risk_set_sums", "score", "score_residuals"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RiskSetSums:
    """Per-row quantities at one ``beta`` (``(B, m)`` or ``(B, m, p)``; zero off death rows).

    Attributes
    ----------
    eta, risk
        Linear predictor and ``exp(eta)`` (0 on padding).
    fraction
        Efron ``k/d`` per death row (0 for Breslow and off death rows).
    denominator
        The (Efron) risk-set sum of each death row (1 off death rows).
    inv_denominator
        ``death / denominator``.
    zbar
        ``(B, m, p)``: the risk-weighted mean covariate of each death row's risk set.
    """

    eta: np.ndarray
    risk: np.ndarray
    fraction: np.ndarray
    denominator: np.ndarray
    inv_denominator: np.ndarray
    zbar: np.ndarray


def _reverse_cumsum(values: np.ndarray) -> np.ndarray:
    """Sums from each position to the end of its block, with a trailing zero: ``(B, m+1, ...)``."""
    out = np.empty((values.shape[0], values.shape[1] + 1, *values.shape[2:]))
    out[:, -1] = 0.0
    np.cumsum(values[:, ::-1], axis=1, out=out[:, -2::-1])
    return out


def _at_risk_sums(risk_sets: RiskSets, values: np.ndarray, fraction: np.ndarray) -> np.ndarray:
    """For every row, ``values`` (``(B, m, k)``) summed over the risk set at its stop time; for
    the k-th of d tied deaths, minus (k/d) of the tied deaths' sum (Efron). The tied deaths are
    the first rows of their run, so both come from one reverse cumulative sum."""
    rev = _reverse_cumsum(values)
    at_risk = risk_sets.at_position(rev, risk_sets.first_at)
    tied = risk_sets.tied_deaths
    if 8 * tied.shape[0] > fraction.size:  # heavily tied: one more dense gather is cheaper
        tied_sum = at_risk - risk_sets.at_position(rev, risk_sets.deaths_end_at)
        tied_sum *= fraction[..., None]
        at_risk -= tied_sum
    elif tied.shape[0]:
        flat_rev = rev.reshape(-1, values.shape[-1])
        tied_sum = (flat_rev[risk_sets.first_at.reshape(-1)[tied]]
                    - flat_rev[risk_sets.deaths_end_at.reshape(-1)[tied]])
        at_risk.reshape(-1, values.shape[-1])[tied] -= fraction.reshape(-1)[tied, None] * tied_sum
    if risk_sets.start_order is not None:
        entering_later = _reverse_cumsum(np.take_along_axis(values, risk_sets.start_order[..., None], axis=1))
        at_risk -= risk_sets.at_position(entering_later, risk_sets.entered_at)
    return at_risk


def _exposure(risk_sets: RiskSets, per_death: np.ndarray) -> np.ndarray:
    """For every row, ``per_death`` summed over the death rows whose risk set held the row."""
    cumulative = forward_cumsum(per_death)
    total = risk_sets.at_position(cumulative, risk_sets.last_end_at)
    if risk_sets.exits_at is not None:
        total = total - risk_sets.at_position(cumulative, risk_sets.exits_at)
    return total


def risk_set_sums(risk_sets: RiskSets, X: np.ndarray, beta: np.ndarray, *, ties: Ties) -> RiskSetSums:
    """Risk scores, Efron denominators and mean covariates of every death row at ``beta``."""
    eta = np.einsum("bmp,bp->bm", X, beta)
    risk = np.where(risk_sets.valid, np.exp(eta), 0.0)
    death = risk_sets.death
    fraction = risk_sets.efron_fraction(ties)
    weighted = np.empty((*risk.shape, X.shape[-1] + 1))
    weighted[..., 0] = risk
    np.multiply(X, risk[..., None], out=weighted[..., 1:])
    at_risk = _at_risk_sums(risk_sets, weighted, fraction)
    del weighted
    denominator = np.where(death > 0, at_risk[..., 0], 1.0)
    inv_denominator = death / denominator
    zbar = at_risk[..., 1:]
    zbar *= inv_denominator[..., None]
    return RiskSetSums(eta=eta, risk=risk, fraction=fraction, denominator=denominator,
                       inv_denominator=inv_denominator, zbar=zbar)


def loglik(risk_sets: RiskSets, sums: RiskSetSums) -> np.ndarray:
    """Partial log-likelihood per block, ``(B,)``."""
    return np.einsum("bm,bm->b", risk_sets.death, sums.eta - np.log(sums.denominator))


def score(risk_sets: RiskSets, X: np.ndarray, sums: RiskSetSums,
          time_weight: np.ndarray | None = None) -> np.ndarray:
    """Score ``sum_deaths w (x - zbar)`` per block, ``(B, p)``; ``w`` = ``time_weight`` or 1."""
    if time_weight is None:
        return np.einsum("bm,bmp->bp", risk_sets.death, X) - sums.zbar.sum(axis=1)
    return (np.einsum("bm,bmp->bp", time_weight * risk_sets.death, X)
            - np.einsum("bm,bmp->bp", time_weight, sums.zbar))


def information(risk_sets: RiskSets, X: np.ndarray, sums: RiskSetSums,
                time_weight: np.ndarray | None = None) -> np.ndarray:
    """Information ``sum_deaths w [S2/denom - zbar zbar']`` per block, ``(B, p, p)``.

    ``time_weight`` (per row, constant within a tied run) weights each death's term; the
    proportional-hazards test uses ``g(t)`` and ``g(t)^2`` (docs/methods.md#cox-zph).
    """
    per_death = sums.inv_denominator if time_weight is None else sums.inv_denominator * time_weight
    row_weight = _exposure(risk_sets, per_death)
    row_weight *= sums.risk
    tied = risk_sets.tied_deaths
    if tied.shape[0]:  # a tied death is left out of its own run's later Efron terms
        own_run = risk_sets.tied_run_sum((per_death * sums.fraction).reshape(-1)[tied])
        row_weight.reshape(-1)[tied] -= sums.risk.reshape(-1)[tied] * own_run
    weighted = X * row_weight[..., None]
    zbar_weight = sums.zbar if time_weight is None else sums.zbar * time_weight[..., None]
    return (np.matmul(weighted.transpose(0, 2, 1), X)
            - np.matmul(zbar_weight.transpose(0, 2, 1), sums.zbar))


def score_residuals(risk_sets: RiskSets, X: np.ndarray, sums: RiskSetSums) -> np.ndarray:
    """Score residuals per row, ``(B, m, p)``, as R's ``residuals(fit, type = "score")``.

    Row i's residual is ``death_i (x_i - mean of its run's zbar) - r_i sum_k c_ik (x_i - zbar_k)
    / denominator_k`` over the deaths k whose risk set held i, with ``c = 1 - k/d`` for i's own
    tied deaths (Efron) and 1 otherwise (R's coxscore2, agscore2). They sum to the score.
    """
    death = risk_sets.death
    inv = sums.inv_denominator
    hazard = _exposure(risk_sets, inv) - death * risk_sets.death_sum(inv * sums.fraction)
    weighted_mean = (_exposure(risk_sets, sums.zbar * inv[..., None])
                     - death[..., None] * risk_sets.death_sum(sums.zbar * (inv * sums.fraction)[..., None]))
    run_deaths = np.maximum(risk_sets.n_deaths_in_run, 1.0)
    mean_zbar = risk_sets.death_sum(sums.zbar) / run_deaths[..., None]
    return (death[..., None] * (X - mean_zbar)
            - sums.risk[..., None] * (X * hazard[..., None] - weighted_mean))
