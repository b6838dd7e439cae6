"""Product-limit kernels on time-sorted arrays: the risk table, S(t) and Greenwood sums.

Pure numpy, no labels, no checks (callers validate); patients arrive as sorted packed keys
(``_sort_key``). Conventions (docs/methods.md#kaplan-meier):
at a time with both events and censorings the events come first, so a patient censored at t is
still at risk at t; ``n_risk`` counts patients with time >= t.
"""

from __future__ import annotations

import logging
from typing import NamedTuple

import numpy as np

from trialdesk.survival._sort_key import KeyLayout

__all__ = [
    "RiskTable",
    "greenwood_terms",
    "product_limit",
    "product_limit_terms",
    "risk_table",
    "running",
]

logger = logging.getLogger(__name__)

_ONE = np.uint64(1)


class RiskTable(NamedTuple):
    """Counts per distinct time of one or more curves (all arrays of one length).

    Curve c occupies rows ``row_ends[c - 1]:row_ends[c]`` (from 0 for the first), its times
    ascending.
    """

    time: np.ndarray      # float64, distinct observed times
    n_risk: np.ndarray    # int64, patients of the curve with time >= t
    n_event: np.ndarray   # int64, events at t
    n_censor: np.ndarray  # int64, censorings at t
    row_ends: np.ndarray  # int64, (curves,) end row of each curve


def risk_table(sorted_keys: np.ndarray, layout: KeyLayout, ends: np.ndarray) -> RiskTable:
    """The risk tables of curves from their sorted keys (``_sort_key.pack_keys``), in one pass.

    Curve c's patients are ``sorted_keys[ends[c - 1]:ends[c]]`` (none empty), its code in the
    key's major bits, so a new curve always starts a new row. The keys are packed without a
    minor code, so at each distinct time the events (censored bit 0) come first. The keys are
    consumed: shifted to (curve, time) codes in place, and when every time is distinct their
    buffer becomes the time column (at a million rows each fresh array costs more to fault
    into memory than the arithmetic on it).
    """
    n = sorted_keys.shape[0]
    censored = np.bitwise_and(sorted_keys, _ONE).view(np.int64)
    time_code = np.right_shift(sorted_keys, _ONE, out=sorted_keys)
    first = np.empty(n, dtype=bool)
    first[0] = True
    np.not_equal(time_code[1:], time_code[:-1], out=first[1:])
    if first.all():  # every time distinct (continuous times): one patient per row
        n_risk = _count_down(np.arange(n, 0, -1), ends, ends)
        return RiskTable(_times_by_curve(time_code, layout, ends), n_risk,
                         np.subtract(1, censored), censored, ends)
    start = first.nonzero()[0]
    row_ends = np.searchsorted(start, ends)
    n_censor = np.add.reduceat(censored, start)
    n_event = np.empty_like(n_censor)  # patients at the time, less those censored
    np.subtract(start[1:], start[:-1], out=n_event[:-1])
    n_event[-1] = n - start[-1]
    n_event -= n_censor
    codes = time_code.take(start)
    codes &= np.uint64((1 << layout.time_bits) - 1)  # one call drops every curve's code
    time = layout.times(codes)
    n_risk = _count_down(np.subtract(n, start, out=start), ends, row_ends)
    return RiskTable(time, n_risk, n_event, n_censor, row_ends)


def _count_down(after: np.ndarray, ends: np.ndarray, row_ends: np.ndarray) -> np.ndarray:
    """Patients at risk, in place of ``after`` (patients from each row's first one to the end).

    Row r of curve c has ``after[r] - (n - ends[c])`` patients of its curve at risk.
    """
    first, n = 0, int(ends[-1])
    for end, last in zip(ends.tolist(), row_ends.tolist(), strict=True):
        if end != n:
            after[first:last] -= n - end
        first = last
    return after


def _times_by_curve(codes: np.ndarray, layout: KeyLayout, row_ends: np.ndarray) -> np.ndarray:
    """Times of (curve, time) codes, decoded in place curve by curve (``row_ends`` as RiskTable)."""
    first = 0
    for curve, last in enumerate(row_ends.tolist()):
        layout.times(codes[first:last], major=curve)
        first = last
    return codes.view(np.float64)


def running(accumulate: np.ufunc, values: np.ndarray, row_ends: np.ndarray) -> np.ndarray:
    """``accumulate`` (np.multiply or np.add) along each curve's rows of 1-D ``values``, in place."""
    first = 0
    for last in row_ends.tolist():
        accumulate.accumulate(values[first:last], out=values[first:last])
        first = last
    return values


def product_limit(n_risk: np.ndarray, n_event: np.ndarray) -> np.ndarray:
    """Kaplan-Meier S(t) after each time: the running product of (n_risk - n_event) / n_risk.

    Shapes (..., k); the product runs along the last axis (docs/methods.md#kaplan-meier).
    """
    factor = np.subtract(n_risk, n_event, dtype=np.float64)
    factor /= n_risk
    return np.cumprod(factor, axis=-1, out=factor)


def greenwood_terms(n_risk: np.ndarray, n_event: np.ndarray) -> np.ndarray:
    """Greenwood increments d / (n (n - d)) of var(-log S); +inf where n == d > 0.

    docs/methods.md#greenwood. Times without events add 0; n >= 1 (so n == d means d > 0).
    """
    survivors = np.subtract(n_risk, n_event, dtype=np.float64)
    return _greenwood_from_survivors(survivors, n_risk, n_event, out=survivors)


def product_limit_terms(n_risk: np.ndarray, n_event: np.ndarray, *,
                        out: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The factors (n - d) / n of S(t) and the Greenwood increments, into ``out``.

    ``out``: two float64 arrays of the counts' shape (factors, increments); no temporary.
    """
    factors, increments = out
    survivors = np.subtract(n_risk, n_event, dtype=np.float64, out=factors)
    _greenwood_from_survivors(survivors, n_risk, n_event, out=increments)
    np.divide(survivors, n_risk, out=factors)
    return factors, increments


def _greenwood_from_survivors(survivors: np.ndarray, n_risk: np.ndarray, n_event: np.ndarray, *,
                              out: np.ndarray) -> np.ndarray:
    """d / (n (n - d)) into ``out`` (float64; may be ``survivors``) from ``survivors`` = n - d."""
    np.multiply(survivors, n_risk, out=out)
    with np.errstate(divide="ignore"):
        return np.divide(n_event, out, out=out)
