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
    minor code, so at each distinct time the events (censored bit 0) come first.
    """
    n = sorted_keys.shape[0]
    time_code = sorted_keys >> np.uint64(1)
    first = np.empty(n, dtype=bool)
    first[0] = True
    np.not_equal(time_code[1:], time_code[:-1], out=first[1:])
    time_code &= np.uint64((1 << layout.time_bits) - 1)
    censored = (sorted_keys & np.uint64(1)).view(np.int64)
    if first.all():  # every time distinct (continuous times): one patient per row
        n_risk = _count_down(np.arange(n), ends, ends)
        return RiskTable(layout.times(time_code), n_risk, 1 - censored, censored, ends)
    start = first.nonzero()[0]
    row_ends = np.searchsorted(start, ends)
    time = layout.times(time_code.take(start))
    n_event = np.add.reduceat(1 - censored, start)
    n_censor = np.add.reduceat(censored, start)
    return RiskTable(time, _count_down(start, ends, row_ends), n_event, n_censor, row_ends)


def _count_down(start: np.ndarray, ends: np.ndarray, row_ends: np.ndarray) -> np.ndarray:
    """Patients at risk: each row's curve end minus its first position, in place of ``start``."""
    first = 0
    for end, last in zip(ends.tolist(), row_ends.tolist(), strict=True):
        np.subtract(end, start[first:last], out=start[first:last])
        first = last
    return start


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
    return _greenwood_from_survivors(np.subtract(n_risk, n_event, dtype=np.float64), n_risk,
                                     n_event)


def product_limit_terms(n_risk: np.ndarray, n_event: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The factors (n - d) / n of S(t) and the Greenwood increments, from one temporary n - d."""
    survivors = np.subtract(n_risk, n_event, dtype=np.float64)
    factors = survivors / n_risk
    return factors, _greenwood_from_survivors(survivors, n_risk, n_event)


def _greenwood_from_survivors(survivors: np.ndarray, n_risk: np.ndarray, n_event: np.ndarray
                              ) -> np.ndarray:
    """d / (n (n - d)) from ``survivors`` = n - d (float64, overwritten with the result)."""
    survivors *= n_risk
    with np.errstate(divide="ignore"):
        return np.divide(n_event, survivors, out=survivors)
