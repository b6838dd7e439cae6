"""Product-limit kernels on time-sorted arrays: the risk table, S(t) and Greenwood sums.

Pure numpy, no labels, no checks (callers validate). Conventions (docs/methods.md#kaplan-meier):
at a time with both events and censorings the events come first, so a patient censored at t is
still at risk at t; ``n_risk`` counts patients with time >= t.
"""

from __future__ import annotations

import logging
from typing import NamedTuple

import numpy as np

__all__ = [
    "RiskTable",
    "greenwood_terms",
    "product_limit",
    "risk_table",
    "time_event_key",
    "unpack_key",
]

logger = logging.getLogger(__name__)


class RiskTable(NamedTuple):
    """Counts per distinct time, sorted ascending (all arrays of one length)."""

    time: np.ndarray      # float64, distinct observed times
    n_risk: np.ndarray    # int64, patients with time >= t
    n_event: np.ndarray   # int64, events at t
    n_censor: np.ndarray  # int64, censorings at t


def time_event_key(time: np.ndarray, event: np.ndarray) -> np.ndarray:
    """One uint64 sort key per patient: ascending time, events before censorings at a tie.

    For non-negative doubles the bit pattern orders like the value and the sign bit is 0, so
    ``bits << 1 | censored`` loses nothing; sorting it is a plain integer sort (no argsort).
    """
    return (time.view(np.uint64) << np.uint64(1)) | (event == 0).view(np.uint8).astype(np.uint64)


def unpack_key(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Times (float64) and 0/1 events (float64) back from sorted ``time_event_key`` values."""
    time = (key >> np.uint64(1)).view(np.float64)
    event = 1.0 - (key & np.uint64(1)).astype(np.float64)
    return time, event


def risk_table(time: np.ndarray, event: np.ndarray) -> RiskTable:
    """The risk table of one curve.

    time: (n,) float64 sorted ascending, n >= 1; event: (n,) 0/1 in the same order.
    """
    n = time.shape[0]
    starts = np.concatenate(([True], time[1:] != time[:-1])).nonzero()[0]
    n_event = np.add.reduceat(event, starts).astype(np.int64)
    n_risk = n - starts
    n_leaving = n_risk.copy()
    n_leaving[:-1] -= n_risk[1:]
    return RiskTable(time[starts], n_risk, n_event, n_leaving - n_event)


def product_limit(n_risk: np.ndarray, n_event: np.ndarray) -> np.ndarray:
    """Kaplan-Meier S(t) after each time: the running product of (n_risk - n_event) / n_risk.

    Shapes (..., k); the product runs along the last axis (docs/methods.md#kaplan-meier).
    """
    return np.cumprod((n_risk - n_event) / n_risk, axis=-1)


def greenwood_terms(n_risk: np.ndarray, n_event: np.ndarray) -> np.ndarray:
    """Greenwood increments d / (n (n - d)) of var(-log S); +inf where n == d > 0.

    docs/methods.md#greenwood. Times without events add 0.
    """
    survivors = n_risk - n_event
    terms = np.where(survivors == 0, np.inf, 0.0)
    return np.divide(n_event, n_risk * survivors, out=terms, where=survivors > 0)
