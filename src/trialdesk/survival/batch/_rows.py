"""Trials x patients arrays for the batch forms: validation, chunking, per-row sort and tie runs.

Kernels see ``(T, n)`` float64 arrays sorted by time along the last axis, padding (mask false)
moved to the end with time +inf and no event. docs/methods.md#kaplan-meier gives the
conventions; the tie-run quantities below are those of ``_km_kernel.risk_table`` per position.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from trialdesk.errors import InputError
from trialdesk.survival._km_kernel import product_limit
from trialdesk.survival._validation import as_event_array, as_time_array

__all__ = [
    "BatchInput",
    "SortedRows",
    "as_batch_input",
    "before_run",
    "row_chunks",
    "run_sums",
    "sort_rows",
    "survival_after",
]

logger = logging.getLogger(__name__)

#: Patient cells per chunk: a chunk's working arrays stay near 100 MB.
CHUNK_CELLS = 1 << 19


class BatchInput(NamedTuple):
    """Validated batch arrays flattened to ``(T, n)``, and the leading shape to restore."""

    time: np.ndarray        # (T, n) float64, 0 in padding
    event: np.ndarray       # (T, n) float64 0/1 or bool, 0 in padding
    arm: np.ndarray | None  # (T, n) float64 0/1 or bool, 0 in padding
    valid: np.ndarray       # (T, n) bool, false = padding
    lead_shape: tuple[int, ...]


def as_batch_input(time: ArrayLike, event: ArrayLike, arm: ArrayLike | None,
                   mask: ArrayLike | None) -> BatchInput:
    """Check ``(..., n)`` inputs (leading axes = trials); padding cells may hold anything."""
    raw_time = np.asarray(time, dtype=np.float64)
    if raw_time.ndim < 2:
        raise InputError(f"must be at least 2-D (trials x patients), got shape {raw_time.shape}",
                         field="time", hint="use the single-trial function for one trial")
    shape = raw_time.shape
    n = shape[-1]
    if mask is None:
        valid = np.ones(shape, dtype=bool)
    else:
        mask_array = np.asarray(mask)
        if mask_array.dtype != bool:
            raise InputError("must be booleans (true = patient present)", field="mask")
        try:
            valid = np.broadcast_to(mask_array, shape)
        except ValueError as exc:
            raise InputError(f"has shape {mask_array.shape}, expected {shape}", field="mask") from exc

    def checked(values: ArrayLike, name: str) -> np.ndarray:
        array = np.asarray(values)
        if array.shape != shape:
            raise InputError(f"has shape {array.shape}, expected {shape} (as time)", field=name)
        if mask is not None:
            array = np.where(valid, array, False if array.dtype == bool else 0)
        if array.dtype == bool:  # nothing to check; chunks convert as they go
            return array.reshape(-1, n)
        return as_event_array(array.reshape(-1, n), name=name, n=n, ndim=2)

    if mask is not None:
        raw_time = np.where(valid, raw_time, 0.0)
    return BatchInput(
        time=as_time_array(raw_time.reshape(-1, n), ndim=2),
        event=checked(event, "event"),
        arm=None if arm is None else checked(arm, "arm"),
        valid=valid.reshape(-1, n),
        lead_shape=shape[:-1],
    )


def row_chunks(n_rows: int, n_columns: int) -> Iterator[slice]:
    """Slices of rows holding about ``CHUNK_CELLS`` cells each (memory stays bounded)."""
    step = max(1, CHUNK_CELLS // max(n_columns, 1))
    for first in range(0, n_rows, step):
        yield slice(first, min(first + step, n_rows))


class SortedRows(NamedTuple):
    """Rows sorted by time with, at each position, the counts of its tie run.

    All ``(T, n)``. ``run_first`` holds, for each position, the flat index (row * n + column)
    of the first position of its run of equal times. At the last position of each run
    (``run_last``), ``n_risk`` and ``n_event`` are the risk-table values of that distinct time.
    """

    time: np.ndarray
    event: np.ndarray
    run_first: np.ndarray
    run_last: np.ndarray
    n_risk: np.ndarray
    n_event: np.ndarray


def sort_rows(time: np.ndarray, event: np.ndarray, valid: np.ndarray,
              *others: np.ndarray) -> tuple[SortedRows, tuple[np.ndarray, ...]]:
    """Sort each row by time (padding last) and build its tie runs; reorder ``others`` alike."""
    n_rows, n = time.shape
    row_start = np.arange(0, n_rows * n, n)[:, None]
    key = np.where(valid, time, np.inf)
    order = np.argsort(key, axis=1) + row_start
    time = np.take(key, order)
    event = np.take(np.multiply(event, valid, dtype=np.float64), order)
    new_run = np.ones((n_rows, n), dtype=bool)
    np.not_equal(time[:, 1:], time[:, :-1], out=new_run[:, 1:])
    # flat indices: each row starts a run, so one flat running maximum stays within rows
    flat_position = np.arange(n_rows * n).reshape(n_rows, n)
    run_first = np.maximum.accumulate((new_run * flat_position).ravel()).reshape(n_rows, n)
    run_last = np.ones((n_rows, n), dtype=bool)
    run_last[:, :-1] = new_run[:, 1:]
    run_last &= np.isfinite(time)
    n_risk = (valid.sum(axis=1)[:, None] + row_start - run_first).astype(np.float64)
    n_event = run_sums(event, run_first) * run_last
    rows = SortedRows(time, event, run_first, run_last, n_risk, n_event)
    return rows, tuple(np.take(other, order) for other in others)


def survival_after(rows: SortedRows) -> np.ndarray:
    """Kaplan-Meier S after each position (only the runs' last positions change it)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return product_limit(np.where(rows.run_last, rows.n_risk, 1.0), rows.n_event)


def before_run(values: np.ndarray, run_first: np.ndarray) -> np.ndarray:
    """Sum of ``values`` (T, n) over the positions before each position's tie run.

    ``run_first`` as in :class:`SortedRows` (flat indices); sums run along each row.
    """
    return np.take(np.cumsum(values, axis=1) - values, run_first)


def run_sums(values: np.ndarray, run_first: np.ndarray) -> np.ndarray:
    """Sum of ``values`` over each position's tie run so far (complete at the run's last position).

    ``values`` are counts (integers as floats), so one running sum over all rows differs from
    the per-row one by a constant within each run and the differences are exact.
    """
    running = np.cumsum(values, axis=None).reshape(values.shape)
    return running - np.take(running - values, run_first)
