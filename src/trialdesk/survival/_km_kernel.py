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
    "risk_table",
]

logger = logging.getLogger(__name__)


class RiskTable(NamedTuple):
    """Counts per distinct time, sorted ascending (all arrays of one length)."""

    time: np.ndarray      # float64, distinct observed times
    n_risk: np.ndarray    # int64, patients with time >= t
    n_event: np.ndarray   # int64, events at t
    n_censor: np.ndarray  # int64, censorings at t


def risk_table(sorted_keys: np.ndarray, layout: KeyLayout) -> RiskTable:
    """The risk table of one curve from its sorted keys (``_sort_key.pack_keys``, n >= 1).

    The keys are packed without a minor code, so at each distinct time the events (censored
    bit 0) come first; the patients leaving at t minus the censorings at t are the events.
    """
    n = sorted_keys.shape[0]
    time_code = sorted_keys >> np.uint64(1)
    first = np.empty(n, dtype=bool)
    first[0] = True
    np.not_equal(time_code[1:], time_code[:-1], out=first[1:])
    start = first.nonzero()[0]
    end = np.empty_like(start)
    end[:-1] = start[1:]
    end[-1] = n
    censored_before = np.empty(n + 1, dtype=np.int64)
    censored_before[0] = 0
    (sorted_keys & np.uint64(1)).view(np.int64).cumsum(out=censored_before[1:])
    n_censor = censored_before.take(end) - censored_before.take(start)
    n_event = end - start - n_censor
    time = layout.times(time_code.take(start) & np.uint64((1 << layout.time_bits) - 1))
    return RiskTable(time, n - start, n_event, n_censor)


def product_limit(n_risk: np.ndarray, n_event: np.ndarray) -> np.ndarray:
    """Kaplan-Meier S(t) after each time: the running product of (n_risk - n_event) / n_risk.

    Shapes (..., k); the product runs along the last axis (docs/methods.md#kaplan-meier).
    """
    return np.cumprod((n_risk - n_event) / n_risk, axis=-1)


def greenwood_terms(n_risk: np.ndarray, n_event: np.ndarray) -> np.ndarray:
    """Greenwood increments d / (n (n - d)) of var(-log S); +inf where n == d > 0.

    docs/methods.md#greenwood. Times without events add 0; n >= 1 (so n == d means d > 0).
    """
    with np.errstate(divide="ignore"):
        return n_event / (n_risk * (n_risk - n_event))
