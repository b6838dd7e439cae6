"""G-rho log-rank sums and the chi-square with R's generalized inverse, batch-shaped.

Shared by ``logrank_test`` (one trial, leading axis of length 1 or per stratum) and
``batch.logrank_test`` (leading axis = trial). The formulas are R's survdiff2.c;
docs/methods.md#logrank.
"""

from __future__ import annotations

import logging
from typing import NamedTuple

import numpy as np
from scipy.special import chdtrc, erfc

from trialdesk.errors import InputError

__all__ = ["LogRankSums", "check_rho", "chisq_statistic", "logrank_sums", "p_value"]

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
    or None for rho = 0 (every weight 1). Sums run along the last (contiguous) axis. The
    variance is hypergeometric, with the (N - D) / (N - 1) factor for ties. Temporaries are
    reused in place: at a million times each fresh array costs more than the arithmetic.
    """
    total_risk = n_risk.sum(axis=-2)
    total_event = n_event.sum(axis=-2)
    at_risk = total_risk > 0
    weighted_event = total_event if weight is None else weight * total_event
    share = np.divide(weighted_event, total_risk, out=np.zeros(total_risk.shape), where=at_risk)
    ties = total_risk - total_event  # w^2 D (N - D) / (N (N - 1)); 0 where N <= 1 (then D (N - D) = 0)
    ties *= weighted_event if weight is None else weight * weighted_event
    denominator = total_risk - 1.0
    denominator *= total_risk
    np.divide(ties, denominator, out=ties, where=total_risk > 1)
    observed = n_event.sum(axis=-1) if weight is None else (n_event @ weight[..., :, None])[..., 0]
    expected = (n_risk @ share[..., :, None])[..., 0]
    diagonal = (n_risk @ ties[..., :, None])[..., 0]
    scaled = np.divide(ties, total_risk, out=ties, where=at_risk)  # ties is 0 where N = 0
    variance = -((n_risk * scaled[..., None, :]) @ np.swapaxes(n_risk, -1, -2))
    groups = n_risk.shape[-2]
    variance.reshape((*variance.shape[:-2], groups * groups))[..., :: groups + 1] += diagonal
    return LogRankSums(observed, expected, variance)


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
    df = np.maximum(kept.sum(axis=-1) - 1, 0)
    first = np.argmax(kept, axis=-1)
    used = kept & (np.arange(groups) != first[..., None])
    difference = np.where(used, sums.observed - sums.expected, 0.0)
    if groups == 2:  # at most one group is used: its variance alone (0 -> pseudo-inverse 0)
        diagonal = np.diagonal(sums.variance, axis1=-2, axis2=-1)
        solution = np.divide(difference, diagonal, out=np.zeros(difference.shape),
                             where=used & (diagonal != 0))
    else:
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
    p = np.ones(chisq.shape)
    one = df == 1
    p[one] = erfc(np.sqrt(chisq[one] / 2.0))
    many = df > 1
    p[many] = chdtrc(df[many], chisq[many])
    return p
