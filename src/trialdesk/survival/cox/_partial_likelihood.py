"""Cox partial likelihood, score and information on sorted blocks, Efron or Breslow ties.

Shapes: ``X`` is ``(B, m, p)`` float64, centred, zero on padding rows; ``beta`` is ``(B, p)``
(one coefficient vector per block; blocks of one trial share it). Rows are sorted as
:mod:`._risk_sets` describes. All work is O(B m p^2) numpy: risk-set sums are one reverse
cumulative sum per row, read at the first row of each death time (docs/methods.md#efron).
Work arrays keep the ``p+1`` sums leading (``(p+1, B, m)``): each cumulative sum and product
then runs over contiguous rows.

For the k-th (k = 0..d-1) of d deaths tied at t, Efron's denominator is
``S0(t) - (k/d) D0(t)`` and its mean covariate ``zbar_k = (S1 - (k/d) D1) / denominator``, where
S is summed over the risk set and D over the tied deaths (Breslow: k/d = 0). Everything else is
summed per death time from scalars per death: ``sum_k zbar_k = S1 A - D1 A_f`` and
``sum_k zbar_k zbar_k' = S1 S1' A2 - (S1 D1' + D1 S1') A2_f + D1 D1' A2_ff`` with
``A = sum_k 1/denominator_k``, ``A_f = sum_k (k/d)/denominator_k``, ``A2.. = sum_k (..)/denominator_k^2``.
The ``S2`` part of the information is never formed per time: each row's ``r x x'`` is weighted
by the summed ``1/denominator`` of the deaths it was at risk for, which is one cumulative sum
over death times (the same identity as R's coxfit6 running sums).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from trialdesk.survival.cox._risk_sets import RiskSets, Ties, forward_cumsum

__all__ = ["DeathTimeSums", "RiskSetSums", "Workspace", "death_time_sums", "information", "loglik",
           "risk_set_sums", "score", "score_residuals"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Workspace:
    """Work arrays for evaluating one set of sorted blocks at many ``beta`` (one Newton fit).

    Every evaluation writes into these instead of allocating: at n = 1e6 each ``(B, m, p+1)``
    array is 56 MB, and the allocator returns blocks that large to the system when freed, so
    fresh ones would be page-faulted in again at every step. The :class:`DeathTimeSums` of an
    evaluation are views into the workspace, valid until the next evaluation with it.

    Attributes
    ----------
    eta, risk
        ``(B, m)``: the fields of :class:`DeathTimeSums`.
    weighted
        ``(p+1, B, m+1)``: ``risk * [1, x]`` (and a zero) per block, turned in place into its
        reverse cumulative sums; :func:`information` reuses it for ``row_weight * x``.
    at_risk, tied
        ``(p+1, B, R)``: ``[S0, S1]`` and ``[D0, D1]`` per death time.
    products
        Two ``(p+1, B, R)`` arrays for the ``zbar zbar'`` part of :func:`information`.
    by_entry, entering
        ``(p+1, B, m+1)`` and ``(p+1, B, R)`` for (start, stop] data (``None`` without entry times).
    """

    eta: np.ndarray
    risk: np.ndarray
    weighted: np.ndarray
    at_risk: np.ndarray
    tied: np.ndarray
    products: tuple[np.ndarray, np.ndarray]
    by_entry: np.ndarray | None
    entering: np.ndarray | None

    @classmethod
    def allocate(cls, risk_sets: RiskSets, X: np.ndarray) -> Workspace:
        """Work arrays for ``risk_sets`` (``(B, m)``) and their covariates ``X`` (``(B, m, p)``)."""
        n_blocks, m = risk_sets.shape
        k = X.shape[-1] + 1
        per_row, per_time = (k, n_blocks, m + 1), (k, n_blocks, risk_sets.n_death_times)
        weighted = np.empty(per_row)
        weighted[..., -1] = 0.0
        with_entry = risk_sets.start_order_at is not None
        return cls(eta=np.empty((n_blocks, m)), risk=np.empty((n_blocks, m)),
                   weighted=weighted, at_risk=np.empty(per_time),
                   tied=np.empty(per_time), products=(np.empty(per_time), np.empty(per_time)),
                   by_entry=np.empty(per_row) if with_entry else None,
                   entering=np.empty(per_time) if with_entry else None)


@dataclass(frozen=True, slots=True)
class DeathTimeSums:
    """Risk-set sums at one ``beta``, per death time and per death row.

    Attributes
    ----------
    eta, risk
        ``(B, m)``: linear predictor and ``exp(eta)`` (0 on padding).
    at_risk
        ``(p+1, B, R)``: ``[S0, S1]`` over the risk set of each death time (zero on padding).
    tied
        ``(p+1, B, R)``: ``[D0, D1]`` over its tied deaths; ``None`` when every ``k/d`` is 0
        (Breslow, or no two deaths at one time), as Efron's terms then vanish.
    fraction, denominator, inv_denominator
        Per death row (``RiskSets.death_rows``): Efron ``k/d``, ``S0 - (k/d) D0``, its inverse.
    """

    eta: np.ndarray
    risk: np.ndarray
    at_risk: np.ndarray
    tied: np.ndarray | None
    fraction: np.ndarray
    denominator: np.ndarray
    inv_denominator: np.ndarray


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
    """Sums from each position of ``values`` (``(k, B, m+1)``, last position 0) to the end of
    its block, in place: returns ``values`` as ``(k, B * (m+1))`` for the flat gathers of
    :class:`RiskSets`."""
    np.cumsum(values[..., -2::-1], axis=-1, out=values[..., -2::-1])
    return values.reshape(values.shape[0], -1)


def _gather(flat: np.ndarray, flat_index: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``flat[:, flat_index]`` written into ``out``. ``mode="clip"`` (indices are in range by
    construction) writes straight into ``out``; the default would go through a temporary."""
    return np.take(flat, flat_index, axis=1, out=out, mode="clip")


def _time_sums(risk_sets: RiskSets, work: Workspace, efron: bool) -> np.ndarray | None:
    """``work.at_risk`` from ``work.weighted``, and the tied deaths' sums (``work.tied``) if
    ``efron``: the tied deaths are the first rows of their run, so both come from one reverse
    cumulative sum; (start, stop] data subtract the rows entering at or after each death time
    (a second one, in entry order)."""
    k = work.weighted.shape[0]
    by_entry = None
    if work.by_entry is not None:  # before the sums overwrite the rows
        by_entry = _gather(work.weighted.reshape(k, -1), risk_sets.start_order_at, work.by_entry)
    flat_rev = _reverse_cumsum(work.weighted)
    at_risk = _gather(flat_rev, risk_sets.time_first_at, work.at_risk)
    tied = None
    if efron:
        tied = _gather(flat_rev, risk_sets.time_deaths_end_at, work.tied)
        np.subtract(at_risk, tied, out=tied)
    if by_entry is not None and work.entering is not None:
        at_risk -= _gather(_reverse_cumsum(by_entry), risk_sets.time_entered_at, work.entering)
    return tied


def death_time_sums(risk_sets: RiskSets, X: np.ndarray, beta: np.ndarray, *, ties: Ties,
                    work: Workspace | None = None) -> DeathTimeSums:
    """Risk scores, risk-set sums per death time and Efron denominators per death at ``beta``.

    ``work``: the :class:`Workspace` of these ``risk_sets`` and ``X`` (the result is a view
    into it); a fresh one if ``None``.
    """
    if work is None:
        work = Workspace.allocate(risk_sets, X)
    eta = np.einsum("bmp,bp->bm", X, beta, out=work.eta)  # not BLAS: its threads would spin
    risk = np.exp(eta, out=work.risk)
    if not risk_sets.valid.all():
        np.copyto(risk, 0.0, where=~risk_sets.valid)
    work.weighted[0, :, :-1] = risk
    np.multiply(_by_column(X), risk, out=work.weighted[1:, :, :-1])
    fraction = risk_sets.death_fraction(ties)
    tied = _time_sums(risk_sets, work, efron=ties == "efron" and risk_sets.tied_deaths.shape[0] > 0)
    time_of = risk_sets.death_time_of
    denominator = work.at_risk[0].reshape(-1)[time_of]
    if tied is not None:
        denominator -= fraction * tied[0].reshape(-1)[time_of]
    return DeathTimeSums(eta=eta, risk=risk, at_risk=work.at_risk, tied=tied, fraction=fraction,
                         denominator=denominator, inv_denominator=1.0 / denominator)


def risk_set_sums(risk_sets: RiskSets, X: np.ndarray, beta: np.ndarray, *, ties: Ties) -> RiskSetSums:
    """:func:`death_time_sums` spread over the rows (the score residuals work per row)."""
    sums = death_time_sums(risk_sets, X, beta, ties=ties)
    rows, time_of, p = risk_sets.death_rows, risk_sets.death_time_of, X.shape[-1]
    denominator = np.ones(risk_sets.shape)
    denominator.reshape(-1)[rows] = sums.denominator
    inv_denominator = np.zeros(risk_sets.shape)
    inv_denominator.reshape(-1)[rows] = sums.inv_denominator
    mean = sums.at_risk[1:].reshape(p, -1)[:, time_of]
    if sums.tied is not None:
        mean -= sums.fraction * sums.tied[1:].reshape(p, -1)[:, time_of]
    zbar = np.zeros(X.shape)
    zbar.reshape(-1, p)[rows] = (mean * sums.inv_denominator).T
    return RiskSetSums(eta=sums.eta, risk=sums.risk, fraction=risk_sets.efron_fraction(ties),
                       denominator=denominator, inv_denominator=inv_denominator, zbar=zbar)


def _exposure(risk_sets: RiskSets, per_death: np.ndarray) -> np.ndarray:
    """For every row, ``per_death`` (``(B, m)``) summed over the death rows whose risk set held it."""
    cumulative = forward_cumsum(per_death)
    total = risk_sets.at_position(cumulative, risk_sets.last_end_at)
    if risk_sets.exits_at is not None:
        total = total - risk_sets.at_position(cumulative, risk_sets.exits_at)
    return total


def _death_weight(risk_sets: RiskSets, time_weight: np.ndarray | None) -> np.ndarray | float:
    """``time_weight`` at the death rows (1 without it)."""
    return 1.0 if time_weight is None else time_weight.reshape(-1)[risk_sets.death_rows]


def loglik(risk_sets: RiskSets, sums: DeathTimeSums) -> np.ndarray:
    """Partial log-likelihood per block, ``(B,)``."""
    return (np.einsum("bm,bm->b", risk_sets.death, sums.eta)
            - risk_sets.per_death_time(np.log(sums.denominator)).sum(axis=1))


def score(risk_sets: RiskSets, X: np.ndarray, sums: DeathTimeSums,
          time_weight: np.ndarray | None = None) -> np.ndarray:
    """Score ``sum_deaths w (x - zbar)`` per block, ``(B, p)``; ``w`` = ``time_weight`` or 1."""
    weight = _death_weight(risk_sets, time_weight) * sums.inv_denominator
    death = risk_sets.death if time_weight is None else time_weight * risk_sets.death
    out = (np.einsum("bm,bmp->bp", death, X)
           - np.einsum("pbr,br->bp", sums.at_risk[1:], risk_sets.per_death_time(weight)))
    if sums.tied is not None:
        out += np.einsum("pbr,br->bp", sums.tied[1:], risk_sets.per_death_time(weight * sums.fraction))
    return out


def _row_weight(risk_sets: RiskSets, sums: DeathTimeSums, per_death: np.ndarray) -> np.ndarray:
    """``r_i`` times ``per_death`` summed over the deaths whose risk set held row i, with
    weight ``1 - k/d`` for its own tied deaths (Efron), ``(B, m)``."""
    cumulative = forward_cumsum(risk_sets.per_death_time(per_death)).reshape(-1)
    weight = cumulative[risk_sets.times_through_at]
    if risk_sets.times_before_entry_at is not None:
        weight -= cumulative[risk_sets.times_before_entry_at]
    if sums.tied is not None:
        own_time = risk_sets.per_death_time(per_death * sums.fraction).reshape(-1)
        weight.reshape(-1)[risk_sets.death_rows] -= own_time[risk_sets.death_time_of]
    weight *= sums.risk
    return weight


def _by_column(X: np.ndarray) -> np.ndarray:
    """``X`` (``(B, m, p)``) as ``(p, B, m)`` (a view), the layout of the work arrays."""
    return X.transpose(2, 0, 1)


def _by_block(matrix: np.ndarray) -> np.ndarray:
    """``(p, B, n)`` work array as ``(B, p, n)`` (a view), for per-block matrix products."""
    return matrix.transpose(1, 0, 2)


def _zbar_squares(risk_sets: RiskSets, sums: DeathTimeSums, per_death: np.ndarray,
                  products: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """``sum_deaths w zbar zbar'`` per block from the death-time sums (module docstring)."""
    squared = per_death * sums.inv_denominator
    s_term, d_term = products
    s1 = _by_block(sums.at_risk[1:])
    np.multiply(sums.at_risk, risk_sets.per_death_time(squared), out=s_term)
    out = np.matmul(s1, _by_block(s_term[1:]).transpose(0, 2, 1))
    if sums.tied is not None:
        d1 = _by_block(sums.tied[1:])
        efron = squared * sums.fraction
        np.multiply(sums.tied, risk_sets.per_death_time(efron * sums.fraction), out=d_term)
        out += np.matmul(d1, _by_block(d_term[1:]).transpose(0, 2, 1))
        np.multiply(sums.tied, risk_sets.per_death_time(efron), out=d_term)
        cross = np.matmul(s1, _by_block(d_term[1:]).transpose(0, 2, 1))
        out -= cross + cross.transpose(0, 2, 1)
    return out


def information(risk_sets: RiskSets, X: np.ndarray, sums: DeathTimeSums, work: Workspace,
                time_weight: np.ndarray | None = None) -> np.ndarray:
    """Information ``sum_deaths w [S2/denom - zbar zbar']`` per block, ``(B, p, p)``.

    ``time_weight`` (per row, constant within a tied run) weights each death's term; the
    proportional-hazards test uses ``g(t)`` and ``g(t)^2`` (docs/methods.md#cox-zph).
    ``work``: the :class:`Workspace` of ``sums`` (its ``weighted`` and ``products`` are
    overwritten).
    """
    per_death = _death_weight(risk_sets, time_weight) * sums.inv_denominator
    row_weight = _row_weight(risk_sets, sums, per_death)
    weighted = np.multiply(_by_column(X), row_weight, out=work.weighted[1:, :, :-1])
    return (np.matmul(_by_block(weighted), X)
            - _zbar_squares(risk_sets, sums, per_death, work.products))


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
