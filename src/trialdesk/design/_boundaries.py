"""Solving for boundaries: alpha spending, Wang-Tsiatis constants, beta-spending futility bounds.

Each solver works look by look on the recursion of ``_integration`` (rpact's
``getDesignGroupSequential`` algorithm, docs/design.md#group-sequential-designs):

- alpha spending: at look k the efficacy bound c_k makes the probability under H0 of first
  crossing at k equal the alpha spent between t_{k-1} and t_k; two-sided designs count both
  tails of the symmetric region (-c_k, c_k). A binding futility bound is part of the
  continuation region under H0; a non-binding one is ignored there.
- Wang-Tsiatis (classical O'Brien-Fleming, Pocock): c_k = C t_k^(Delta - 0.5) with the one
  constant C that spends alpha in total.
- beta spending (one-sided): for a drift delta (Z_k ~ N(delta sqrt(t_k), 1)), the futility
  bound f_k makes the probability under delta of first falling below f_k at k equal the beta
  spent between t_{k-1} and t_k; delta is solved so that the last futility bound meets the
  last efficacy bound, which makes the power 1 - beta. Binding designs re-solve c_k from
  alpha inside that loop. A futility bound above its efficacy bound is set to it.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence

import numpy as np
from scipy.optimize import brentq

from trialdesk.design._integration import START, SubDensity, advance, lower_exit, upper_exit

__all__ = ["beta_spending_bounds", "bracketed_root", "solve_drift", "spending_bounds", "wang_tsiatis_bounds"]

logger = logging.getLogger(__name__)

#: Largest efficacy bound searched (rpact's C_UPPER_BOUNDS_DEFAULT).
MAX_BOUND = 8.0
_XTOL = 1e-12


def bracketed_root(function: Callable[[float], float], low: float, high: float) -> float:
    """The root of an increasing or decreasing ``function`` on [low, high]; an end if none inside."""
    f_low, f_high = function(low), function(high)
    if f_low == 0.0:
        return low
    if f_low * f_high > 0:
        return low if abs(f_low) < abs(f_high) else high
    return float(brentq(function, low, high, xtol=_XTOL, rtol=4 * np.finfo(float).eps))


def _efficacy_bound(state: SubDensity, target: float, information: float, sided: int) -> float:
    """c with P_H0(first crossing at this look) = target, given the sub-density so far."""
    def excess(bound: float) -> float:
        tails = upper_exit(state, bound, information, 0.0)
        if sided == 2:
            tails += lower_exit(state, -bound, information, 0.0)
        return tails - target

    return bracketed_root(excess, 0.0, MAX_BOUND)


def _continuation_lower(critical: float, futility: float, sided: int) -> float:
    return -critical if sided == 2 else futility


def spending_bounds(rates: Sequence[float], alpha_spent: Sequence[float], *, sided: int,
                    futility: Sequence[float] | None = None) -> np.ndarray:
    """Efficacy bounds spending ``alpha_spent`` (cumulative) at ``rates``.

    ``futility`` (K-1 bounds) is used only for a binding design; None means none.
    """
    n_looks = len(rates)
    lower = [-math.inf] * n_looks if futility is None else [*futility, -math.inf]
    critical = np.empty(n_looks)
    state, previous = START, 0.0
    for k in range(n_looks):
        critical[k] = _efficacy_bound(state, alpha_spent[k] - previous, rates[k], sided)
        previous = alpha_spent[k]
        if k < n_looks - 1:
            state = advance(state, _continuation_lower(critical[k], lower[k], sided), critical[k],
                            rates[k], 0.0)
    return critical


def _total_crossing(upper: np.ndarray, lower: Sequence[float], rates: Sequence[float], sided: int,
                    theta: float) -> float:
    """P(crossing the upper bound (either bound when two-sided) at some look)."""
    state, total = START, 0.0
    for k in range(len(rates)):
        total += upper_exit(state, upper[k], rates[k], theta)
        if sided == 2:
            total += lower_exit(state, -upper[k], rates[k], theta)
        if k < len(rates) - 1:
            state = advance(state, _continuation_lower(upper[k], lower[k], sided), upper[k],
                            rates[k], theta)
    return total


def wang_tsiatis_bounds(rates: Sequence[float], alpha: float, delta: float, *, sided: int,
                        futility: Sequence[float] | None = None) -> np.ndarray:
    """Classical bounds C * t_k^(Delta - 0.5) with total size alpha (binding futility if given)."""
    shape = np.asarray(rates, dtype=float) ** (delta - 0.5)
    lower = [-math.inf] * len(rates) if futility is None else [*futility, -math.inf]
    scale = bracketed_root(lambda c: _total_crossing(c * shape, lower, rates, sided, 0.0) - alpha,
                  0.0, MAX_BOUND)
    return scale * shape


def solve_drift(power: float, critical: np.ndarray, futility: Sequence[float],
                rates: Sequence[float], *, sided: int) -> float:
    """The drift delta (Z_k ~ N(delta sqrt(t_k), 1)) at which the upper crossing probability is ``power``.

    Two-sided designs count only the upper tail (rpact's ``twoSidedPower = FALSE``) and stop
    at the lower efficacy bound -c_k.
    """
    lower = [*futility, -math.inf]

    def shortfall(drift: float) -> float:
        state, total = START, 0.0
        for k in range(len(rates)):
            total += upper_exit(state, critical[k], rates[k], drift)
            if k < len(rates) - 1:
                state = advance(state, _continuation_lower(critical[k], lower[k], sided),
                                critical[k], rates[k], drift)
        return total - power

    return bracketed_root(shortfall, 0.0, 20.0)


def beta_spending_bounds(rates: Sequence[float], critical: np.ndarray, beta_spent: Sequence[float], *,
                         alpha_spent: Sequence[float] | None = None
                         ) -> tuple[np.ndarray, np.ndarray, float]:
    """One-sided futility bounds by beta spending.

    Parameters
    ----------
    rates
        (K,) information rates.
    critical
        (K,) efficacy bounds; re-solved inside the loop when ``alpha_spent`` is given.
    beta_spent
        (K,) cumulative beta to spend.
    alpha_spent
        (K,) cumulative alpha for a binding design; None for a non-binding one.

    Returns
    -------
    critical, futility, drift
        Efficacy bounds (K,), futility bounds (K-1,), and the drift delta at which the last
        futility bound meets the last efficacy bound.
    """
    n_looks = len(rates)

    def bounds_at(drift: float) -> tuple[np.ndarray, np.ndarray, float]:
        """Bounds at ``drift`` and the beta left unspent at the last look if f_K = c_K."""
        efficacy = np.array(critical, dtype=float)
        futility = np.empty(n_looks - 1)
        null, alternative = START, START
        spent_so_far, previous_alpha = 0.0, 0.0
        for k in range(n_looks):
            if alpha_spent is not None:
                efficacy[k] = _efficacy_bound(null, alpha_spent[k] - previous_alpha, rates[k], 1)
                previous_alpha = alpha_spent[k]
            if k == n_looks - 1:
                break
            state, target, rate = alternative, beta_spent[k] - spent_so_far, rates[k]
            futility[k] = bracketed_root(
                lambda f, s=state, t=rate, g=target: lower_exit(s, f, t, drift) - g,
                -MAX_BOUND, efficacy[k])
            spent_so_far += lower_exit(alternative, futility[k], rates[k], drift)
            alternative = advance(alternative, futility[k], efficacy[k], rates[k], drift)
            if alpha_spent is not None:
                null = advance(null, futility[k], efficacy[k], rates[k], 0.0)
        unspent = beta_spent[-1] - spent_so_far - lower_exit(alternative, efficacy[-1], rates[-1], drift)
        return efficacy, futility, unspent

    # The unspent beta falls as the drift grows (the last futility bound rises to c_K);
    # its root is the drift at which the bounds meet, which makes the power 1 - beta.
    drift = bracketed_root(lambda d: bounds_at(d)[2], 0.0, 20.0)
    efficacy, futility, _ = bounds_at(drift)
    return efficacy, futility, drift
