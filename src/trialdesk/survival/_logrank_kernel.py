"""G-rho log-rank sums and the chi-square with R's generalized inverse, batch-shaped.

Shared by ``logrank_test`` (one trial, leading axis of length 1 or per stratum) and
``batch.logrank_test`` (leading axis = trial). The formulas are R's survdiff2.c;
docs/methods.md#logrank.
"""

from __future__ import annotations

import logging
import math
from typing import NamedTuple

import numpy as np
from scipy.special import chdtrc, erfc

from trialdesk.errors import InputError

__all__ = ["LogRankSums", "check_rho", "chisq_statistic", "logrank_sums", "p_value", "single_event_sums"]

logger = logging.getLogger(__name__)


class LogRankSums(NamedTuple):
    """Weighted observed and expected events per group and the variance matrix."""

    observed: np.ndarray   # (..., G)
    expected: np.ndarray   # (..., G)
    variance: np.ndarray   # (..., G, G)


def check_rho(rho: float) -> float:
    """The G-rho exponent as a finite float; an InputError otherwise."""
    value = float(rho)
    if not np.isfinite(value):
        raise InputError("must be a finite number", field="rho", value=value)
    return value


def logrank_sums(n_risk: np.ndarray, n_event: np.ndarray, weight: np.ndarray | None
                 ) -> LogRankSums:
    """Sum the log-rank contributions over times.

    n_risk, n_event: (..., G, k) at risk and events per group at each time (times with no
    event, and padding, contribute 0); weight: (..., k), S(t-)^rho of the pooled Kaplan-Meier,
    or None for rho = 0 (every weight 1). Sums run along the last (contiguous) axis.

    With N at risk and D events at a time: E_g += w D n_g / N, and the hypergeometric
    covariance (with the (N - D) / (N - 1) factor for ties) is V_gh += n_g (N [g = h] - n_h) c
    with c = w^2 D (N - D) / (N^2 (N - 1)), 0 where N <= 1 (then D (N - D) = 0). So
    V = diag(M 1) - M with M = sum n_g n_h c: the diagonal is the sum of the row's other
    products (each row of V sums to 0). Temporaries are reused in place: at a million times
    each fresh array costs more than the arithmetic.
    """
    total_risk = _sum_over_groups(n_risk)
    total_event = _sum_over_groups(n_event)
    weighted_event = total_event if weight is None else weight * total_event
    risk_or_one = np.maximum(total_risk, 1.0)  # N = 0 only where D = 0: 0 / 1
    share = weighted_event / risk_or_one
    factor = total_risk - total_event
    factor *= total_event if weight is None else weight * weighted_event
    scale = total_risk - 1.0
    scale *= total_risk
    np.maximum(scale, 1.0, out=scale)  # N (N - 1) is 0 only where D (N - D) is 0
    scale *= risk_or_one
    factor /= scale
    observed = n_event.sum(axis=-1) if weight is None else (n_event @ weight[..., :, None])[..., 0]
    expected = (n_risk @ share[..., :, None])[..., 0]
    products = (n_risk * factor[..., None, :]) @ np.swapaxes(n_risk, -1, -2)
    groups = n_risk.shape[-2]
    variance = -products
    diagonal = np.einsum("...gg->...g", products)
    variance.reshape((*variance.shape[:-2], groups * groups))[..., :: groups + 1] = (
        products.sum(axis=-1) - diagonal)
    return LogRankSums(observed, expected, variance)


def single_event_sums(share: np.ndarray, observed: np.ndarray, weight: np.ndarray | None, *,
                      group0_at_risk: bool = True) -> LogRankSums:
    """``logrank_sums`` when every event time has exactly one event (continuous times).

    share: (G - 1, k) p_g = n_g / N, the fraction at risk in groups g = 1 .. G - 1 at the k
    event times (group 0's share, 1 - sum_g p_g, is never formed); observed: (G,) the
    (weighted) events per group; weight: (k,) or None (every weight 1). With D = 1 the ties
    factor (N - D) / (N - 1) is 1 (and where N = 1 the term n_g (N - n_g) is 0 anyway), so
    E_g = sum w p_g and V = diag(sum w^2 p_g) - sum w^2 p_g p_h: the same numbers as
    ``logrank_sums`` with a fraction of its passes over the times. Group 0 follows from
    p_0 = 1 - sum_g p_g: E_0 = sum w - sum_g E_g, and each row of V sums to 0; where group 0
    has nobody at risk at any event time (``group0_at_risk`` false) its terms are exactly 0,
    not the rounding residue of those differences (df counts the groups with E > 0). The sums
    over the times are einsums, not BLAS, whose threads cost CPU time for a few long rows.
    """
    if weight is None:
        total_weight, weighted_share = float(share.shape[1]), share
        expected = share.sum(axis=-1)
        diagonal = expected
    else:
        total_weight, weighted_share = float(weight.sum()), share * np.square(weight)
        expected = np.einsum("gk,k->g", share, weight)
        diagonal = weighted_share.sum(axis=-1)
    groups = share.shape[0] + 1
    variance = np.empty((groups, groups))
    variance[1:, 1:] = np.diag(diagonal) - np.einsum("gk,hk->gh", weighted_share, share)
    variance[0, 1:] = variance[1:, 0] = -variance[1:, 1:].sum(axis=0) if group0_at_risk else 0.0
    variance[0, 0] = -variance[0, 1:].sum()
    expected_0 = total_weight - expected.sum() if group0_at_risk else 0.0
    return LogRankSums(observed, np.concatenate(([expected_0], expected)), variance)


def _sum_over_groups(counts: np.ndarray) -> np.ndarray:
    """Sum of (..., G, k) counts over the groups (axis -2), as G - 1 contiguous additions."""
    total = counts[..., 0, :].copy()
    for g in range(1, counts.shape[-2]):
        total += counts[..., g, :]
    return total


def chisq_statistic(sums: LogRankSums) -> tuple[np.ndarray, np.ndarray]:
    """Chi-square (O-E)' V^- (O-E) and its degrees of freedom, as R ``survdiff``.

    Groups with expected = 0 are left out, and so is the first remaining group (R's generalized
    inverse); df = groups with expected > 0, minus 1. With df = 0 the chi-square is 0. Without
    any event R reports df = -1 and p NaN; here df is 0 and p 1. A singular variance, where R's
    solve() fails, is inverted by the pseudo-inverse (docs/methods.md#logrank).
    Shapes: (..., G) in, (...) out.
    """
    groups = sums.expected.shape[-1]
    kept = sums.expected > 0
    if groups == 2:  # the test uses group 2 alone when both have expected events
        df = kept[..., 0] & kept[..., 1]
        difference = sums.observed[..., 1] - sums.expected[..., 1]
        variance = sums.variance[..., 1, 1]
        chisq = np.divide(difference * difference, variance, out=np.zeros(df.shape),
                          where=df & (variance != 0))  # zero variance: pseudo-inverse 0
        return chisq, df.astype(np.int64)
    df = np.maximum(kept.sum(axis=-1) - 1, 0)
    first = np.argmax(kept, axis=-1)
    used = kept & (np.arange(groups) != first[..., None])
    difference = np.where(used, sums.observed - sums.expected, 0.0)
    both = used[..., :, None] & used[..., None, :]
    matrix = np.where(both, sums.variance, np.eye(groups))
    try:
        solution = np.linalg.solve(matrix, difference[..., None])[..., 0]
    except np.linalg.LinAlgError:  # a zero-variance group: R's solve() fails
        logger.debug("singular log-rank variance; using the pseudo-inverse")
        solution = (np.linalg.pinv(matrix) @ difference[..., None])[..., 0]
    chisq = np.where(df > 0, np.sum(solution * difference, axis=-1), 0.0)
    return chisq, df


def p_value(chisq: np.ndarray, df: np.ndarray) -> np.ndarray:
    """Upper chi-square tail; 1 where df = 0, as R's ``pchisq(0, 0, lower.tail = FALSE)``.

    For df = 1 the tail is erfc(sqrt(chisq / 2)) (the same function, twenty times faster).
    """
    chisq, df = np.asarray(chisq, dtype=float), np.asarray(df)
    if chisq.ndim == 0:  # one test: scalar arithmetic, no masks
        return np.asarray(_upper_tail(float(chisq), int(df)))
    p = np.ones(chisq.shape)
    one = df == 1
    p[one] = erfc(np.sqrt(chisq[one] / 2.0))
    many = df > 1
    p[many] = chdtrc(df[many], chisq[many])
    return p


def _upper_tail(chisq: float, df: int) -> float:
    """``p_value`` of one chi-square."""
    if df == 0:
        return 1.0
    return math.erfc(math.sqrt(chisq / 2.0)) if df == 1 else float(chdtrc(df, chisq))
