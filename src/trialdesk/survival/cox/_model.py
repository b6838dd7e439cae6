"""The sorted, blocked data of one fitted Cox model, kept for tests that refit nothing.

``blocks_from_strata`` lays out one trial's rows as ``(S, m)`` blocks, one per stratum, each
sorted by (stop time, deaths first) and padded to the largest stratum; the proportional-hazards
test and the residuals reuse it with the fitted coefficients.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from trialdesk.survival.cox._risk_sets import RiskSets, Ties, build_risk_sets, sort_blocks

__all__ = ["CoxModelData", "blocks_from_strata"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CoxModelData:
    """One trial's model data in block layout.

    Attributes
    ----------
    risk_sets
        ``(S, m)`` blocks, one per stratum.
    X
        ``(S, m, p)`` covariates centred on their means, zero on padding.
    row
        ``(S, m)`` index of each cell into the rows used by the fit (-1 on padding).
    start
        ``(S, m)`` entry times, or ``None`` for right-censored data.
    coef
        Fitted coefficients ``(p,)``.
    ties
        Ties method of the fit.
    """

    risk_sets: RiskSets
    X: np.ndarray
    row: np.ndarray
    start: np.ndarray | None
    coef: np.ndarray
    ties: Ties

    def flat(self, values: np.ndarray) -> np.ndarray:
        """Block-layout values (``(S, m, ...)``) back in row order of the fit (padding dropped)."""
        valid = self.risk_sets.valid
        out = np.empty((int(valid.sum()), *values.shape[2:]))
        out[self.row[valid]] = values[valid]
        return out


def blocks_from_strata(time: np.ndarray, death: np.ndarray, X: np.ndarray, stratum: np.ndarray,
                       start: np.ndarray | None
                       ) -> tuple[RiskSets, np.ndarray, np.ndarray, np.ndarray | None]:
    """Sort rows by (stratum, time, deaths first) and pad each stratum to a common length.

    Returns the risk sets, ``X`` ``(S, m, p)`` (zero on padding), the row index of each cell
    (-1 on padding) and the blocked entry times (``None`` without ``start``).
    """
    n_rows = time.shape[0]
    order = sort_blocks(time[None], death[None], np.ones((1, n_rows), dtype=bool))[0]
    n_strata = int(stratum.max()) + 1
    if n_strata == 1:  # one block, no padding
        blocked_start = None if start is None else start[order][None]
        risk_sets = build_risk_sets(time[order][None], death[order][None],
                                    np.ones((1, n_rows), dtype=bool), blocked_start)
        return risk_sets, np.take(X, order, axis=0)[None], order[None], blocked_start
    order = order[np.argsort(stratum[order], kind="stable")]
    sorted_stratum = stratum[order]
    counts = np.bincount(stratum, minlength=n_strata)
    width = int(counts.max())
    first = np.concatenate(([0], np.cumsum(counts)[:-1]))
    position = np.arange(order.shape[0]) - first[sorted_stratum]
    row = np.full((n_strata, width), -1)
    row[sorted_stratum, position] = order
    valid = row >= 0
    safe = np.where(valid, row, 0)
    blocked_time = np.where(valid, time[safe], np.inf)
    blocked_death = np.where(valid, death[safe], 0.0)
    blocked_X = np.where(valid[..., None], X[safe], 0.0)
    blocked_start = None if start is None else np.where(valid, start[safe], np.inf)
    risk_sets = build_risk_sets(blocked_time, blocked_death, valid, blocked_start)
    return risk_sets, blocked_X, row, blocked_start
