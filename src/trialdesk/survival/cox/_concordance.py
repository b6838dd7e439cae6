"""Harrell's concordance of a Cox fit and its standard error, as R's coxph stores them.

R: ``fit$concordance`` (concordancefit(y, lp, strata, reverse = TRUE, timefix = FALSE)).
A pair is comparable when one row dies at t and the other, in the same stratum, is still at
risk at t (later time, or censored at t; with entry times also entered before t). It is
concordant when the death has the higher risk score, discordant when lower, tied_x when equal
(counted one half). The standard error is R's infinitesimal jackknife: each row's share of
concordant, discordant and tied pairs gives its influence on Somers' d; the variance is the
sum of squared influences / 4 (summed within clusters first when given).

Counting is O(n log n) numpy with no loop over rows (docs/methods.md#concordance). Each death
and each row get an integer time key and a score code (both stratum-major), so that the rows
comparable with a death are those with a higher time key in its stratum. Every count a row
needs is then a dominance count, "points with time key below t and score code below c", which
a wavelet matrix answers for all rows at once, one numpy pass per bit of whichever key has
fewer distinct values.
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


def _prefix_counts(values: np.ndarray, n_values: int, query_value: np.ndarray, end: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray]:
    """For each query q: among ``values[:end[q]]``, how many are below ``query_value[q]`` and
    how many equal it (values and query values in ``[0, n_values)``).

    A wavelet matrix, highest bit first: each level stably moves the values whose bit is 0
    before those whose bit is 1, and every query follows its prefix end down, adding the
    0-bit values before it where its own bit is 1. Values before the start of the query's
    segment (those whose higher bits differ) are added too; they depend on the query value
    alone and are taken off at the end (``correction``, followed for every value prefix).
    O((len(values) + len(end)) log n_values), int32 where the counts fit.
    """
    n = values.shape[0]
    n_levels = max(int(n_values - 1).bit_length(), 1)
    integer = np.int32 if (n_levels + 1) * (n + 1) < 2**31 else np.int64
    level_values, next_values = values.astype(integer), np.empty(n, dtype=integer)
    query_value = query_value.astype(integer)
    position, next_position = end.astype(integer), np.empty(end.shape[0], dtype=integer)
    below = np.zeros(position.shape[0], dtype=integer)
    segment_start = np.zeros(1, dtype=integer)  # per value prefix: its first position at this level
    correction = np.zeros(1, dtype=integer)
    mapping = np.empty(2 * (n + 1), dtype=integer)  # position at the next level, for bit 0 | bit 1
    zeros_before, ones_before = mapping[:n + 1], mapping[n + 1:]
    identity = np.arange(n + 1, dtype=integer)
    bit, query_bit, step = np.empty_like(level_values), np.empty_like(position), np.empty_like(position)
    for level in range(n_levels - 1, -1, -1):
        np.bitwise_and(np.right_shift(level_values, level, out=bit), 1, out=bit)
        ones_before[0] = 0
        np.cumsum(bit, out=ones_before[1:])
        n_zeros = n - int(ones_before[n])
        np.subtract(identity, ones_before, out=zeros_before)
        ones_before += n_zeros
        np.bitwise_and(np.right_shift(query_value, level, out=query_bit), 1, out=query_bit)
        np.multiply(query_bit, n + 1, out=step)
        np.take(mapping, np.add(step, position, out=step), out=next_position, mode="clip")
        below += np.multiply(np.subtract(position, next_position, out=step), query_bit, out=step)
        position, next_position = next_position, position
        zeros_at_start = np.take(zeros_before, segment_start)
        segment_start = np.stack((zeros_at_start, segment_start + (n_zeros - zeros_at_start)), axis=1).ravel()
        correction = np.stack((correction, correction + (n_zeros - zeros_at_start)), axis=1).ravel()
        if level:
            is_one = bit.astype(bool)
            np.take(level_values, np.flatnonzero(~is_one), out=next_values[:n_zeros], mode="clip")
            np.take(level_values, np.flatnonzero(is_one), out=next_values[n_zeros:], mode="clip")
            level_values, next_values = next_values, level_values
    below += np.take(correction, query_value)
    return below, position - np.take(segment_start, query_value)


def _dominance(point_time: np.ndarray, point_code: np.ndarray, query_time: np.ndarray,
               query_code: np.ndarray, n_times: int, n_codes: int) -> tuple[np.ndarray, np.ndarray]:
    """Per query: points with time key below ``query_time`` and score code below / equal to
    ``query_code``. Point times lie in ``[0, n_times)``, query times in ``[0, n_times]``.

    The wavelet matrix runs over the key with fewer bits: score codes with the points in time
    order, or, when every point has its own score code, time keys with the points in code order
    (then "equal" is the one point with that code, if its time is below).
    """
    if n_times.bit_length() < (n_codes - 1).bit_length():
        point_of_code = np.full(n_codes, -1, dtype=np.int32)
        point_of_code[point_code] = np.arange(point_code.shape[0], dtype=np.int32)
        has_point = point_of_code >= 0
        if np.count_nonzero(has_point) == point_code.shape[0] > 0:  # every point its own code
            codes_below = np.cumsum(has_point, dtype=np.int32) - has_point
            below, _ = _prefix_counts(point_time[point_of_code[has_point]], n_times + 1, query_time,
                                      codes_below[query_code])
            own = point_of_code[query_code]
            return below, ((own >= 0) & (point_time[own] < query_time)).astype(below.dtype)
    by_time = np.argsort(point_time, kind="stable") if np.any(np.diff(point_time) < 0) else None
    time_before = np.concatenate(([0], np.cumsum(np.bincount(point_time, minlength=n_times))))
    sorted_code = point_code if by_time is None else point_code[by_time]
    return _prefix_counts(sorted_code, n_codes, query_code, time_before[query_time])


def _score_codes(linear_predictor: np.ndarray, stratum: np.ndarray) -> tuple[np.ndarray, int]:
    """Dense ranks of (stratum, linear predictor): equal scores share a code, strata in order."""
    n = linear_predictor.shape[0]
    strata = bool(stratum.any())
    order = np.lexsort((linear_predictor, stratum)) if strata else np.argsort(linear_predictor)
    sorted_score = linear_predictor[order]
    new_code = np.ones(n, dtype=bool)
    new_code[1:] = sorted_score[1:] != sorted_score[:-1]
    if strata:
        sorted_stratum = stratum[order]
        new_code[1:] |= sorted_stratum[1:] != sorted_stratum[:-1]
    code = np.empty(n, dtype=np.int32 if n < 2**31 else np.int64)
    code[order] = np.cumsum(new_code, dtype=code.dtype) - 1
    return code, int(new_code.sum())


@dataclass(frozen=True, slots=True)
class _TimeKeys:
    """Rows in (stratum, stop, deaths first) order, with integer time keys.

    Death runs (tied stop times with a death, within a stratum) are numbered stratum-major:
    ``death_key`` is a death's run number; ``row_key`` counts the death runs a row outlives
    (earlier runs of its and earlier strata, and its own when it is censored there), so death
    d and row j are comparable when ``death_key[d] < row_key[j]`` in the same stratum.
    """

    order: np.ndarray             # rows in sorted order
    death_position: np.ndarray    # positions (in sorted order) of the deaths
    row_key: np.ndarray           # per sorted row
    death_key: np.ndarray         # per death
    n_keys: int                   # death runs + 1
    deaths_before_key: np.ndarray  # (n_keys,) deaths in the runs numbered below each key
    rows_through_stratum: np.ndarray   # per sorted row: rows in its and earlier strata
    deaths_before_stratum: np.ndarray  # per sorted row: deaths in earlier strata
    run_of_death: np.ndarray      # per death: index of its tied run
    deaths_in_run: np.ndarray     # per tied run


def _time_keys(stop: np.ndarray, death: np.ndarray, stratum: np.ndarray, order: np.ndarray) -> _TimeKeys:
    """Time keys of every row and death, from rows sorted by (stratum, stop, deaths first)."""
    n = order.shape[0]
    index = np.int32 if n < 2**31 else np.int64
    sorted_stratum = stratum[order] if stratum.any() else stratum  # one stratum: all zero
    sorted_stop, dies = stop[order], death[order] > 0
    new_run = np.ones(n, dtype=bool)
    new_run[1:] = (sorted_stop[1:] != sorted_stop[:-1]) | (sorted_stratum[1:] != sorted_stratum[:-1])
    run = np.cumsum(new_run, dtype=index) - 1
    death_position = np.flatnonzero(dies)
    run_of_death = run[death_position]
    deaths_in_run = np.bincount(run_of_death, minlength=int(run[-1]) + 1 if n else 0)
    has_death = deaths_in_run > 0
    death_runs_before = np.cumsum(has_death, dtype=index) - has_death
    new_stratum = np.ones(n, dtype=bool)
    new_stratum[1:] = sorted_stratum[1:] != sorted_stratum[:-1]
    stratum_index = np.cumsum(new_stratum, dtype=index) - 1
    stratum_first = np.flatnonzero(new_stratum)
    return _TimeKeys(
        order=order, death_position=death_position,
        row_key=death_runs_before[run] + (~dies & has_death[run]),
        death_key=death_runs_before[run_of_death], n_keys=int(has_death.sum()) + 1,
        deaths_before_key=np.concatenate(([0], np.cumsum(deaths_in_run[has_death]))),
        rows_through_stratum=np.append(stratum_first[1:], n)[stratum_index],
        deaths_before_stratum=np.searchsorted(death_position, stratum_first)[stratum_index],
        run_of_death=run_of_death, deaths_in_run=deaths_in_run)


def _entry_keys(keys: _TimeKeys, stop: np.ndarray, stratum: np.ndarray, start: np.ndarray) -> np.ndarray:
    """Per sorted row: the death runs (stratum-major) at or before its entry time, i.e. of
    earlier strata or of its stratum with stop time <= start: those deaths it was not at risk for."""
    first = keys.death_position[np.diff(keys.death_key, prepend=-1) > 0]
    run_rows = keys.order[first]
    n_runs = run_rows.shape[0]
    item_stratum = np.concatenate((stratum[run_rows], stratum[keys.order]))
    item_time = np.concatenate((stop[run_rows], start[keys.order]))
    is_row = np.concatenate((np.zeros(n_runs, dtype=bool), np.ones(keys.order.shape[0], dtype=bool)))
    ordered = np.lexsort((is_row, item_time, item_stratum))
    runs_before = np.cumsum(~is_row[ordered])
    entry = np.empty(keys.order.shape[0], dtype=np.int64)
    entry[ordered[is_row[ordered]] - n_runs] = runs_before[is_row[ordered]]
    return entry


class _Shares(NamedTuple):
    """Per sorted row: pairs with a lower / tied score partner, and all comparable pairs."""

    lower: np.ndarray
    tied: np.ndarray
    comparable: np.ndarray


def _death_shares(keys: _TimeKeys, row_key: np.ndarray, code: np.ndarray, n_codes: int) -> _Shares:
    """Per death d: rows j with ``row_key[j] > death_key[d]`` (same stratum), by score.

    The rows with key <= d's are counted (all earlier strata among them) and taken from the
    rows with a lower (equal) code, or from the rows through d's stratum.
    """
    code_count = np.bincount(code, minlength=n_codes)
    query_code = code[keys.death_position]
    not_above, tied_not_above = _dominance(row_key, code, keys.death_key + 1, query_code,
                                           keys.n_keys, n_codes)
    rows_not_above = np.concatenate(([0], np.cumsum(np.bincount(row_key, minlength=keys.n_keys))))
    return _Shares(lower=(np.cumsum(code_count) - code_count)[query_code] - not_above,
                   tied=code_count[query_code] - tied_not_above,
                   comparable=(keys.rows_through_stratum[keys.death_position]
                               - rows_not_above[keys.death_key + 1]))


def _row_shares(keys: _TimeKeys, row_key: np.ndarray, code: np.ndarray, n_codes: int) -> _Shares:
    """Per row j: deaths d with ``death_key[d] < row_key[j]`` (same stratum), by score.

    The deaths of earlier strata are counted too (all with a lower code) and taken off.
    """
    lower, tied = _dominance(keys.death_key, code[keys.death_position], row_key, code, keys.n_keys, n_codes)
    earlier = keys.deaths_before_stratum
    return _Shares(lower=lower - earlier, tied=tied, comparable=keys.deaths_before_key[row_key] - earlier)


def _tied_deaths(keys: _TimeKeys, code: np.ndarray, codes_distinct: bool) -> tuple[float, float]:
    """Pairs of deaths at the same time (tied_y, excluding tied_xy) and also on score (tied_xy)."""
    all_tied = float(np.sum(keys.deaths_in_run * (keys.deaths_in_run - 1) // 2))
    if codes_distinct:
        return all_tied, 0.0
    run_and_code = keys.run_of_death.astype(np.int64) * (int(code.max()) + 1) + code[keys.death_position]
    _, counts = np.unique(run_and_code, return_counts=True)
    both = float(np.sum(counts * (counts - 1) // 2))
    return all_tied - both, both


def concordance(stop: np.ndarray, death: np.ndarray, linear_predictor: np.ndarray,
                stratum: np.ndarray, start: np.ndarray | None = None,
                cluster: np.ndarray | None = None, order: np.ndarray | None = None) -> Concordance:
    """Concordance of ``linear_predictor`` with survival, as R's ``coxph()$concordance``.

    Parameters
    ----------
    stop, death, linear_predictor, stratum
        Per row (length n): stop time, 0/1 death, risk score, integer stratum code.
    start
        Entry times of (start, stop] rows, or ``None``.
    cluster
        Integer cluster codes: influences are summed per cluster before squaring.
    order
        The rows sorted by (stratum, stop, deaths first), when already known (the fit's).
    """
    if order is None:
        order = np.lexsort((-death, stop, stratum))
    keys = _time_keys(stop, death, stratum, order)
    score_code, n_codes = _score_codes(linear_predictor, stratum)
    code = score_code[order]
    row = _row_shares(keys, keys.row_key, code, n_codes)
    death_row = _death_shares(keys, keys.row_key, code, n_codes)
    if start is not None:  # deaths at or before a row's entry time: not at risk together
        entry_key = _entry_keys(keys, stop, stratum, start)
        row = _Shares(*(at_risk - late for at_risk, late in
                        zip(row, _row_shares(keys, entry_key, code, n_codes), strict=True)))
        death_row = _Shares(*(at_risk - late for at_risk, late in
                              zip(death_row, _death_shares(keys, entry_key, code, n_codes), strict=True)))
    # a death's pairs with lower scores are concordant, a row's pairs with earlier deaths of
    # higher score too; "higher" = comparable - lower - tied
    concordant = row.comparable - row.lower - row.tied
    discordant = row.lower.astype(np.int64)
    comparable = row.comparable.astype(np.int64)
    concordant[keys.death_position] += death_row.lower
    discordant[keys.death_position] += death_row.comparable - death_row.lower - death_row.tied
    comparable[keys.death_position] += death_row.comparable
    n_concordant, n_discordant = float(concordant.sum()) / 2, float(discordant.sum()) / 2
    n_tied = float((comparable - concordant - discordant).sum()) / 2
    n_pairs = n_concordant + n_discordant + n_tied
    tied_y, tied_xy = _tied_deaths(keys, code, n_codes == stop.shape[0])
    pairs = PairCounts(n_concordant, n_discordant, n_tied, tied_y, tied_xy)
    if n_pairs == 0:
        return Concordance(estimate=float("nan"), std_err=float("nan"), pairs=pairs)
    somers_d = (n_concordant - n_discordant) / n_pairs
    influence = (concordant - discordant) / n_pairs - somers_d / n_pairs * comparable
    if cluster is not None:
        influence = np.bincount(cluster[order], weights=influence)
    return Concordance(estimate=float((somers_d + 1) / 2),
                       std_err=float(np.sqrt(np.sum(influence**2) / 4)), pairs=pairs)
