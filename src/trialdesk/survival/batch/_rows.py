"""Trials x patients arrays for the batch forms: validation, chunking, per-row sort and tie runs.

Kernels see ``(T, n)`` float64 arrays sorted by time along the last axis, padding (mask false)
moved to the end with time +inf and no event. docs/methods.md#kaplan-meier gives the
conventions; the tie-run quantities below are those of ``_km_kernel.risk_table`` per position.
Trials are processed in chunks of rows (:func:`for_each_chunk`), optionally on a thread pool.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from trialdesk.errors import InputError
from trialdesk.survival._km_kernel import product_limit
from trialdesk.survival._validation import as_event_flags, as_time_array

__all__ = [
    "BatchInput",
    "BatchRows",
    "SortedRows",
    "as_batch_input",
    "check_workers",
    "for_each_chunk",
    "row_chunks",
    "run_sums",
    "sort_rows",
    "survival_after",
]

logger = logging.getLogger(__name__)

#: Patient cells per chunk: a chunk's working arrays (about 0.5 MB each) stay in cache; larger
#: chunks are slower (memory traffic), smaller ones pay numpy's per-call overhead more often.
CHUNK_CELLS = 1 << 16


class BatchRows(NamedTuple):
    """Checked trials of a batch, ``(t, n)``, padding zeroed."""

    time: np.ndarray        # float64 >= 0, 0 in padding
    event: np.ndarray       # bool, false in padding
    arm: np.ndarray | None  # bool (true = arm 1), false in padding
    valid: np.ndarray       # bool, false = padding


class BatchInput(NamedTuple):
    """Batch arrays flattened to ``(T, n)``, checked chunk by chunk as :meth:`rows` reads them
    (a chunk's checks run in cache), and the leading shape to restore."""

    time: np.ndarray          # (T, n) float64 as given
    event: np.ndarray         # (T, n) as given
    arm: np.ndarray | None    # (T, n) as given
    mask: np.ndarray | None   # (T, n) bool, false = padding (padding may hold anything); None: none
    lead_shape: tuple[int, ...]

    def rows(self, rows: slice) -> BatchRows:
        """The trials ``rows``, checked; an error names the flat index in the whole batch."""
        offset = (rows.start or 0) * self.time.shape[1]
        time, event = self.time[rows], self.event[rows]
        arm = None if self.arm is None else self.arm[rows]
        if self.mask is None:
            valid = np.ones(time.shape, dtype=bool)
        else:
            valid = self.mask[rows]
            time, event = np.where(valid, time, 0.0), _zero_padding(event, valid)
            arm = None if arm is None else _zero_padding(arm, valid)
        return BatchRows(time=_checked(as_time_array, time, "time", offset),
                         event=_checked(as_event_flags, event, "event", offset),
                         arm=None if arm is None else _checked(as_event_flags, arm, "arm", offset),
                         valid=valid)

    def most_events(self) -> int:
        """The most events in one trial, padding excluded (any nonzero value counts: values
        other than 0 and 1 are refused when their chunk is read)."""
        events = self.event if self.mask is None else (self.event != 0) & self.mask
        return int(np.count_nonzero(events, axis=1).max(initial=0))


def _zero_padding(values: np.ndarray, valid: np.ndarray) -> np.ndarray:
    return np.where(valid, values, False if values.dtype == bool else 0)


def _checked(check: Callable[..., np.ndarray], values: np.ndarray, name: str, offset: int) -> np.ndarray:
    """``check(values)`` for a chunk starting at flat index ``offset`` of the batch."""
    try:
        return check(values, name=name, n=values.shape[-1], ndim=2)
    except InputError as exc:
        if exc.row is None:
            raise
        raise InputError(exc.message, field=exc.field, row=exc.row + offset, value=exc.value,
                         hint=exc.hint) from exc


def as_batch_input(time: ArrayLike, event: ArrayLike, arm: ArrayLike | None,
                   mask: ArrayLike | None) -> BatchInput:
    """Check the shapes of ``(..., n)`` inputs (leading axes = trials); :meth:`BatchInput.rows`
    checks the values. Padding cells may hold anything."""
    raw_time = _as_float_times(time)
    if raw_time.ndim < 2:
        raise InputError(f"must be at least 2-D (trials x patients), got shape {raw_time.shape}",
                         field="time", hint="use the single-trial function for one trial")
    shape = raw_time.shape
    n = shape[-1]
    flat_mask = None
    if mask is not None:
        mask_array = np.asarray(mask)
        if mask_array.dtype != bool:
            raise InputError("must be booleans (true = patient present)", field="mask")
        try:
            flat_mask = np.broadcast_to(mask_array, shape).reshape(-1, n)
        except ValueError as exc:
            raise InputError(f"has shape {mask_array.shape}, expected {shape}", field="mask") from exc

    def shaped(values: ArrayLike, name: str) -> np.ndarray:
        array = np.asarray(values)
        if array.shape != shape:
            raise InputError(f"has shape {array.shape}, expected {shape} (as time)", field=name)
        return array.reshape(-1, n)

    return BatchInput(time=raw_time.reshape(-1, n), event=shaped(event, "event"),
                      arm=None if arm is None else shaped(arm, "arm"), mask=flat_mask,
                      lead_shape=shape[:-1])


def _as_float_times(time: ArrayLike) -> np.ndarray:
    try:
        return np.asarray(time, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError("must be numeric", field="time") from exc


def row_chunks(n_rows: int, n_columns: int, cells: int | None = None) -> Iterator[slice]:
    """Slices of rows holding about ``cells`` (default ``CHUNK_CELLS``) cells each (memory stays
    bounded)."""
    step = max(1, (CHUNK_CELLS if cells is None else cells) // max(n_columns, 1))
    for first in range(0, n_rows, step):
        yield slice(first, min(first + step, n_rows))


def check_workers(workers: int) -> int:
    """``workers`` as a positive int; an InputError otherwise."""
    if isinstance(workers, bool) or not isinstance(workers, int | np.integer) or workers < 1:
        raise InputError("must be a positive whole number of threads", field="workers", value=workers)
    return int(workers)


def for_each_chunk(n_rows: int, n_columns: int, work: Callable[[slice], None], *, workers: int = 1) -> None:
    """Call ``work`` on every chunk of rows, on ``workers`` threads.

    ``work`` computes one chunk and writes its rows of preallocated outputs; no chunk depends on
    another and no row's arithmetic depends on its chunk, so results are identical bit for bit
    whatever ``workers`` is. numpy releases the GIL inside its loops, so threads overlap; with
    several threads chunks hold twice ``CHUNK_CELLS`` cells, so each numpy call runs long enough
    for that (1.35x with two threads on two free cores, against 1.0x with one-thread chunks).
    The first error raised in a chunk is raised here.
    """
    chunks = list(row_chunks(n_rows, n_columns, CHUNK_CELLS if workers == 1 else 2 * CHUNK_CELLS))
    if workers == 1 or len(chunks) < 2:
        for rows in chunks:
            work(rows)
        return
    with ThreadPoolExecutor(max_workers=min(workers, len(chunks))) as pool:
        for _ in pool.map(work, chunks):
            pass


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


def sort_rows(time: np.ndarray, event: np.ndarray, valid: np.ndarray) -> SortedRows:
    """Sort each row by time (padding last) and build its tie runs."""
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
    return SortedRows(time, event, run_first, run_last, n_risk, n_event)


def survival_after(rows: SortedRows) -> np.ndarray:
    """Kaplan-Meier S after each position (only the runs' last positions change it)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return product_limit(np.where(rows.run_last, rows.n_risk, 1.0), rows.n_event)


def run_sums(values: np.ndarray, run_first: np.ndarray) -> np.ndarray:
    """Sum of ``values`` over each position's tie run so far (complete at the run's last position).

    ``values`` are counts (integers as floats), so one running sum over all rows differs from
    the per-row one by a constant within each run and the differences are exact.
    """
    running = np.cumsum(values, axis=None).reshape(values.shape)
    return running - np.take(running - values, run_first)
