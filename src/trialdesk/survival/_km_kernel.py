"""Product-limit kernels on time-sorted arrays: the risk table, S(t) and Greenwood sums.

Pure numpy, no labels, no checks (callers validate); patients arrive as runs of packed sort
keys (``_sort_key``). Conventions (docs/methods.md#kaplan-meier):
at a time with both events and censorings the events come first, so a patient censored at t is
still at risk at t; ``n_risk`` counts patients with time >= t.
"""

from __future__ import annotations

import logging
from typing import NamedTuple

import numpy as np

from trialdesk.survival._sort_key import KeyLayout, KeyRuns, time_starts

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


def risk_table(runs: KeyRuns, layout: KeyLayout, n: int) -> RiskTable:
    """The risk table of one curve from the runs of its sorted keys (``_sort_key``).

    runs: the runs of one curve's ``n >= 1`` sorted keys, packed without a minor code, so each
    distinct time has an event run, a censoring run or both, the event run first.
    """
    time_start = time_starts(runs)
    n_risk = n - np.take(runs.start, time_start)
    n_event = np.take(runs.length, time_start) * np.take(runs.event, time_start)
    n_leaving = n_risk.copy()
    n_leaving[:-1] -= n_risk[1:]
    return RiskTable(layout.times(np.take(runs.time_code, time_start)), n_risk, n_event,
                     n_leaving - n_event)


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
