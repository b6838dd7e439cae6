"""Harrell's concordance of a Cox fit and its standard error, as R's coxph stores them.

R: ``fit$concordance`` (concordancefit(y, lp, strata, reverse = TRUE, timefix = FALSE)).
A pair is comparable when one row dies at t and the other, in the same stratum, is still at
risk at t (later time, or censored at t; with entry times also entered before t). It is
concordant when the death has the higher risk score, discordant when lower, tied_x when equal
(counted one half). The standard error is R's infinitesimal jackknife: each row's share of
concordant, discordant and tied pairs gives its influence on Somers' d; the variance is the
sum of squared influences / 4 (summed within clusters first when given).

Counting is O(n log n) numpy with no loop over rows: the "wavelet matrix" below counts, for
every death, the later rows with a lower (higher) score, and for every row the earlier deaths
with a lower (higher) score, one bit of the score rank at a time (docs/methods.md#concordance).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

__all__ = ["Concordance", "PairCounts", "concordance"]

logger = logging.getLogger(__name__)


class PairCounts(NamedTuple):
    """Pairs behind the concordance, as R's ``fit$concordance`` counts them (coxph orientation).

    concordant: the earlier death has the higher risk score; tied_x: tied risk scores;
    tied_y: deaths at the same time; tied_xy: both. Only comparable pairs count, within strata.
    """

    concordant: float
    discordant: float
    tied_x: float
    tied_y: float
    tied_xy: float


@dataclass(frozen=True, slots=True)
class Concordance:
    """Concordance estimate, its standard error and the pair counts."""

    estimate: float
    std_err: float
    pairs: PairCounts


def _before_in_segment(values: np.ndarray, boundary: np.ndarray) -> np.ndarray:
    """Per item: sum of ``values`` (>= 0) over earlier items of its segment (``boundary``
    marks each segment's first item)."""
    exclusive = np.cumsum(values, dtype=np.int32 if values.shape[0] < 2**31 else np.int64) - values
    return exclusive - np.maximum.accumulate(np.where(boundary, exclusive, 0))


def _after_in_segment(values: np.ndarray, is_end: np.ndarray) -> np.ndarray:
    """Per item: sum of ``values`` (>= 0) over later items of its segment (``is_end`` marks
    each segment's last item)."""
    inclusive = np.cumsum(values, dtype=np.int32 if values.shape[0] < 2**31 else np.int64)
    at_end = np.where(is_end, inclusive, np.iinfo(inclusive.dtype).max)
    return np.minimum.accumulate(at_end[::-1])[::-1] - inclusive


def _dominance(order_group: np.ndarray, rank: np.ndarray, is_query: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Pair counts between queries and later elements of the same group, by score rank.

    Items are given in sequence order; ``order_group`` (non-decreasing) separates groups
    (strata) that never pair. Returns per item: for queries, the elements after it with a
    lower / higher rank; for elements, the queries before it with a lower / higher rank.

    One pass per bit of the rank, highest first (a wavelet matrix): items sharing the higher
    bits (and group) form contiguous segments in sequence order; a query and an element of a
    segment whose ranks first differ at this bit are counted here, then each segment is split
    stably by the bit.
    """
    n_items = rank.shape[0]
    n_bits = max(int(rank.max()).bit_length(), 1)
    small = (int(order_group.max()) + 1) << n_bits < 2**31 and n_items < 2**31
    integer = np.int32 if small else np.int64  # half the memory traffic when it fits
    key = (order_group.astype(integer) << n_bits) | rank.astype(integer)
    query = is_query.copy()
    lower = np.zeros(n_items, dtype=integer)
    higher = np.zeros(n_items, dtype=integer)
    origin = np.arange(n_items, dtype=integer)
    boundary = np.empty(n_items, dtype=bool)
    is_end = np.empty(n_items, dtype=bool)
    for level in range(n_bits - 1, -1, -1):
        one = ((key >> level) & 1).astype(bool)
        zero = ~one
        prefix = key >> (level + 1)
        boundary[0], is_end[-1] = True, True
        np.not_equal(prefix[1:], prefix[:-1], out=boundary[1:])
        is_end[:-1] = boundary[1:]
        element = ~query
        elements_below_after = _after_in_segment(element & zero, is_end)
        elements_above_after = _after_in_segment(element & one, is_end)
        queries_below_before = _before_in_segment(query & zero, boundary)
        queries_above_before = _before_in_segment(query & one, boundary)
        lower += np.where(one, np.where(query, elements_below_after, queries_below_before), 0)
        higher += np.where(zero, np.where(query, elements_above_after, queries_above_before), 0)
        order = np.concatenate((np.flatnonzero(zero), np.flatnonzero(one)))
        key, query, origin = key[order], query[order], origin[order]
        lower, higher = lower[order], higher[order]
    by_item_lower = np.empty(n_items, dtype=integer)
    by_item_higher = np.empty(n_items, dtype=integer)
    by_item_lower[origin], by_item_higher[origin] = lower, higher
    zeros = np.zeros(n_items, dtype=integer)
    return (np.where(is_query, by_item_lower, zeros), np.where(is_query, by_item_higher, zeros),
            np.where(is_query, zeros, by_item_lower), np.where(is_query, zeros, by_item_higher))


def _pair_shares(group: np.ndarray, rows: np.ndarray, query: np.ndarray, rank: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row: its concordant, discordant and all pairs (death d, row j), for a sequence of
    items (``query``: a death's query, else a row's element) in which the pairs are the query
    items followed by an element item of the same ``group``; a pair counts for both rows.

    Concordant means the death's score rank is above j's (R's coxph orientation).
    """
    n = rank.shape[0]
    q_lower, q_higher, e_lower, e_higher = _dominance(group, rank[rows], query)
    boundary = np.ones(group.shape[0], dtype=bool)
    boundary[1:] = group[1:] != group[:-1]
    is_end = np.ones(group.shape[0], dtype=bool)
    is_end[:-1] = boundary[1:]
    element = ~query
    concordant, discordant, comparable = np.zeros(n), np.zeros(n), np.zeros(n)
    concordant[rows[query]] += q_lower[query]
    discordant[rows[query]] += q_higher[query]
    comparable[rows[query]] += _after_in_segment(element, is_end)[query]
    concordant[rows[element]] += e_higher[element]
    discordant[rows[element]] += e_lower[element]
    comparable[rows[element]] += _before_in_segment(query, boundary)[element]
    return concordant, discordant, comparable


def _at_risk_sequence(order: np.ndarray, after_deaths: np.ndarray, death: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray]:
    """Items for the pairs (death, row at risk): rows in sorted ``order``, each death's query
    placed just before ``after_deaths`` (the first row after its tied deaths), no sort needed.

    Returns the row of each item and whether it is a query.
    """
    n = order.shape[0]
    death_position = np.flatnonzero(death[order] > 0)
    query_at = after_deaths[death_position]
    n_items = n + death_position.shape[0]
    rows = np.empty(n_items, dtype=np.int64)
    query = np.zeros(n_items, dtype=bool)
    query_index = query_at + np.arange(death_position.shape[0])
    rows[np.arange(n) + np.searchsorted(query_at, np.arange(n), side="right")] = order
    rows[query_index] = order[death_position]
    query[query_index] = True
    return rows, query


def _entry_sequence(stratum: np.ndarray, stop: np.ndarray, start: np.ndarray, death: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Items for the pairs (death at t, row entering at or after t) of a stratum, by sorting."""
    n = stop.shape[0]
    deaths = np.flatnonzero(death > 0)
    item_row = np.concatenate((deaths, np.arange(n)))
    is_query = np.concatenate((np.ones(deaths.shape[0], dtype=bool), np.zeros(n, dtype=bool)))
    keys = np.concatenate((stop[deaths], start))
    order = np.lexsort((~is_query, keys, stratum[item_row]))
    return item_row[order], is_query[order]


def _tied_deaths(run_id: np.ndarray, deaths_in_run: np.ndarray, sorted_death: np.ndarray,
                 sorted_rank: np.ndarray) -> tuple[float, float]:
    """Pairs of deaths at the same time (tied_y, excluding tied_xy) and also on score (tied_xy)."""
    all_tied = float(np.sum(deaths_in_run * (deaths_in_run - 1) / 2))
    shared = (sorted_death > 0) & (deaths_in_run[run_id] > 1)
    key = run_id[shared].astype(np.int64) * (int(sorted_rank.max()) + 1) + sorted_rank[shared]
    _, counts = np.unique(key, return_counts=True)
    both = float(np.sum(counts * (counts - 1) / 2))
    return all_tied - both, both


def concordance(stop: np.ndarray, death: np.ndarray, linear_predictor: np.ndarray,
                stratum: np.ndarray, start: np.ndarray | None = None,
                cluster: np.ndarray | None = None) -> Concordance:
    """Concordance of ``linear_predictor`` with survival, as R's ``coxph()$concordance``.

    Parameters
    ----------
    stop, death, linear_predictor, stratum
        Per row (length n): stop time, 0/1 death, risk score, integer stratum code.
    start
        Entry times of (start, stop] rows, or ``None``.
    cluster
        Integer cluster codes: influences are summed per cluster before squaring.
    """
    n = stop.shape[0]
    rank = np.unique(linear_predictor, return_inverse=True)[1].reshape(n)
    order = np.lexsort((-death, stop, stratum))
    sorted_stop, sorted_stratum = stop[order], stratum[order]
    new_run = np.ones(n, dtype=bool)
    new_run[1:] = (sorted_stop[1:] != sorted_stop[:-1]) | (sorted_stratum[1:] != sorted_stratum[:-1])
    run_starts = np.flatnonzero(new_run)
    run_id = np.cumsum(new_run) - 1
    deaths_in_run = np.add.reduceat(death[order], run_starts).astype(np.int64)
    after_deaths = (run_starts + deaths_in_run)[run_id]
    rows, query = _at_risk_sequence(order, after_deaths, death)
    concordant, discordant, comparable = _pair_shares(stratum[rows], rows, query, rank)
    if start is not None:  # rows entering at or after the death time were not at risk
        rows, query = _entry_sequence(stratum, stop, start, death)
        late = _pair_shares(stratum[rows], rows, query, rank)
        concordant, discordant, comparable = (concordant - late[0], discordant - late[1],
                                              comparable - late[2])
    tied = comparable - concordant - discordant
    n_concordant, n_discordant, n_tied = concordant.sum() / 2, discordant.sum() / 2, tied.sum() / 2
    n_pairs = n_concordant + n_discordant + n_tied
    tied_y, tied_xy = _tied_deaths(run_id, deaths_in_run, death[order], rank[order])
    pairs = PairCounts(float(n_concordant), float(n_discordant), float(n_tied), tied_y, tied_xy)
    if n_pairs == 0:
        return Concordance(estimate=float("nan"), std_err=float("nan"), pairs=pairs)
    somers_d = (n_concordant - n_discordant) / n_pairs
    influence = (concordant - discordant) / n_pairs - somers_d / n_pairs * comparable
    if cluster is not None:
        influence = np.bincount(cluster, weights=influence)
    return Concordance(estimate=float((somers_d + 1) / 2),
                       std_err=float(np.sqrt(np.sum(influence**2) / 4)), pairs=pairs)
