"""Risk-set bookkeeping for sorted blocks: tied runs, death rows, Efron fractions, entry times.

A *block* is one stratum of one trial. Every array is batch-shaped ``(B, m)``: ``B`` blocks of
``m`` rows, each block sorted by (stop time ascending, event descending), so that within a run
of tied stop times the deaths come first; padding rows (``valid`` false) sit at the end of their
block with stop time ``+inf``. Nothing here depends on the coefficients: it is built once per
fit and reused by every Newton step (docs/methods.md#cox).

The risk set of a death at time t in a block is every row of that block with
``start < t <= stop`` (``start`` absent: ``stop >= t``), so in sorted order it is the suffix
starting at the first row of t's tied run, minus the rows that enter at or after t.

The likelihood needs the risk-set sums only at the *death times* of a block (the tied runs with
at least one death): they are laid out as ``(B, R)`` tables, ``R`` the most death times of any
block, padded with a position whose sums are zero.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

import numpy as np

__all__ = ["RiskSets", "Ties", "build_risk_sets", "forward_cumsum", "sort_blocks"]

logger = logging.getLogger(__name__)

Ties = Literal["efron", "breslow"]


@dataclass(frozen=True, slots=True)
class RiskSets:
    """Index structure of sorted blocks (all arrays ``(B, m)`` unless stated).

    Attributes
    ----------
    stop, death, valid
        Stop times, death indicator (float 0/1, 0 on padding), real rows.
    run_first, run_last
        Position (within the block) of the first and last row of the row's tied run.
    n_deaths_in_run
        Deaths in the row's tied run.
    efron_step
        For the k-th (k = 0, 1, ..) of d deaths of a run, ``k / d`` (0 for other rows).
    start_order_at
        ``(B, m+1)`` flat indices (into ``(B, m+1)`` arrays whose position ``m`` holds 0)
        sorting each block by start time, then that zero (``None`` without entry times).
    death_rows, death_time_of, death_step
        Flat indices (into ``B * m``) of the death rows; the flat index (into ``B * R``) of each
        one's death time; its Efron ``k / d``.
    time_first_at, time_deaths_end_at, time_entered_at
        ``(B, R)`` flat indices into ``(B, m+1)`` reverse cumulative sums, per death time: of
        its run's first row, of the first row after its deaths, and (entry times only, else
        ``None``) of ``entered_before`` at its first row. Padding points at the zero row ``m``.
    times_through_at, times_before_entry_at
        ``(B, m)`` flat indices into ``(B, R+1)`` forward cumulative sums over death times:
        of the death times at or before the row's stop time, and (entry times only, else
        ``None``) at or before its start time.
    entered_before
        For each row, how many rows of its block have ``start < stop`` of this row: the rows
        entered before this row's stop time (``None`` without entry times).
    exits_by_entry
        For each row, how many rows of its block have ``stop <= start`` of this row: the tied
        runs it was not at risk for (``None`` without entry times).
    last_end_at, exits_at
        Flat indices into ``(B, m+1)`` forward cumulative sums of ``run_last + 1`` and
        ``exits_by_entry`` (the score residuals' per-row sums over death rows).
    tied_deaths, tied_run_starts, tied_run_of
        Flat indices (into ``B * m``) of the deaths that share their time with another death,
        where each such run starts in that list, and each one's run: Efron's corrections
        touch only these rows.
    """

    stop: np.ndarray
    death: np.ndarray
    valid: np.ndarray
    run_first: np.ndarray
    run_last: np.ndarray
    n_deaths_in_run: np.ndarray
    efron_step: np.ndarray
    start_order_at: np.ndarray | None
    death_rows: np.ndarray
    death_time_of: np.ndarray
    death_step: np.ndarray
    time_first_at: np.ndarray
    time_deaths_end_at: np.ndarray
    time_entered_at: np.ndarray | None
    times_through_at: np.ndarray
    times_before_entry_at: np.ndarray | None
    entered_before: np.ndarray | None
    exits_by_entry: np.ndarray | None
    tied_deaths: np.ndarray
    tied_run_starts: np.ndarray
    tied_run_of: np.ndarray
    last_end_at: np.ndarray
    exits_at: np.ndarray | None

    @property
    def shape(self) -> tuple[int, int]:
        """``(B, m)``: blocks and rows per block."""
        return self.stop.shape  # type: ignore[return-value]

    @property
    def n_death_times(self) -> int:
        """``R``: the most death times of any block (the width of the death-time tables)."""
        return self.time_first_at.shape[1]

    def efron_fraction(self, ties: Ties) -> np.ndarray:
        """``k / d`` for the k-th of d tied deaths (Efron); zero everywhere for Breslow."""
        return self.efron_step if ties == "efron" else np.zeros(self.shape)

    def death_fraction(self, ties: Ties) -> np.ndarray:
        """:meth:`efron_fraction` at the death rows only, ``(len(death_rows),)``."""
        return self.death_step if ties == "efron" else np.zeros(self.death_rows.shape)

    def per_death_time(self, per_death: np.ndarray) -> np.ndarray:
        """Values given per death row (``(len(death_rows),)``) summed by death time: ``(B, R)``."""
        return np.bincount(self.death_time_of, weights=per_death,
                           minlength=self.stop.shape[0] * self.n_death_times).reshape(self.stop.shape[0], -1)

    @staticmethod
    def at_position(cumulative: np.ndarray, flat_index: np.ndarray) -> np.ndarray:
        """``cumulative[b, position]`` for a ``(B, m+1[, p])`` array and a flat index: ``(B, m[, p])``."""
        return np.take(cumulative.reshape(-1, *cumulative.shape[2:]), flat_index, axis=0)

    def death_sum(self, values: np.ndarray) -> np.ndarray:
        """For each death row, ``values`` (``(B, m[, p])``) summed over the deaths of its tied
        run (its own value when it dies alone); other rows keep their own value."""
        out = values.copy()
        if self.tied_deaths.shape[0]:
            flat_values = values.reshape(-1, *values.shape[2:])
            out.reshape(-1, *values.shape[2:])[self.tied_deaths] = self.tied_run_sum(
                flat_values[self.tied_deaths])
        return out

    def tied_run_sum(self, values: np.ndarray) -> np.ndarray:
        """For values given at ``tied_deaths`` only (``(len(tied_deaths), ...)``), each one's
        sum over the tied deaths of its run."""
        return np.add.reduceat(values, self.tied_run_starts, axis=0)[self.tied_run_of]


def forward_cumsum(values: np.ndarray) -> np.ndarray:
    """Sums up to (not including) each position of its block, with a final total: ``(B, m+1, ...)``."""
    out = np.empty((values.shape[0], values.shape[1] + 1, *values.shape[2:]))
    out[:, 0] = 0.0
    np.cumsum(values, axis=1, out=out[:, 1:])
    return out


def sort_blocks(stop: np.ndarray, death: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Per-block order by (stop ascending, deaths first); padding rows go last.

    One integer sort: for non-negative doubles the bit pattern orders like the value, so
    ``bits * 2 + (1 - death)`` orders by time, then deaths first.
    """
    key_stop = np.where(valid, np.abs(stop), np.inf)
    key = (key_stop.view(np.uint64) << np.uint64(1)) | (death <= 0).astype(np.uint64)
    return np.argsort(key, axis=-1)


def build_risk_sets(stop: np.ndarray, death: np.ndarray, valid: np.ndarray,
                    start: np.ndarray | None = None) -> RiskSets:
    """Build the index structure of blocks already sorted by :func:`sort_blocks`.

    Parameters
    ----------
    stop, death, valid
        ``(B, m)``: stop (event or censoring) times, 0/1 deaths, real-row mask; each block
        sorted by (valid first, stop ascending, death first).
    start
        ``(B, m)`` entry times for (start, stop] data, or ``None`` (everyone at risk from 0).
    """
    n_blocks, m = stop.shape
    stop = np.where(valid, stop, np.inf)
    death = np.where(valid, death, 0.0)
    new_run = np.ones((n_blocks, m), dtype=bool)
    new_run[:, 1:] = stop[:, 1:] != stop[:, :-1]
    position = np.broadcast_to(np.arange(m), (n_blocks, m))
    run_first = np.maximum.accumulate(np.where(new_run, position, 0), axis=1)
    is_last = np.ones((n_blocks, m), dtype=bool)
    is_last[:, :-1] = new_run[:, 1:]
    run_last = np.minimum.accumulate(np.where(is_last, position, m)[:, ::-1], axis=1)[:, ::-1]
    offset = (np.arange(n_blocks) * (m + 1))[:, None]
    deaths_before = forward_cumsum(death).reshape(-1)
    n_deaths = (deaths_before[run_last + 1 + offset] - deaths_before[run_first + offset]).astype(np.intp)
    efron_step = np.where(death > 0, (position - run_first) / np.maximum(n_deaths, 1), 0.0)
    start_order = entered_before = exits_by_entry = None
    if start is not None:
        start = np.where(valid, start, np.inf)
        start_order = np.argsort(start, axis=-1, kind="stable")
        sorted_start = np.take_along_axis(start, start_order, axis=-1)
        entered_before = np.empty((n_blocks, m), dtype=np.intp)
        exits_by_entry = np.empty((n_blocks, m), dtype=np.intp)
        for block in range(n_blocks):  # blocks are strata of one trial: few
            entered_before[block] = np.searchsorted(sorted_start[block], stop[block], side="left")
            exits_by_entry[block] = np.searchsorted(stop[block], start[block], side="right")
    return _assemble(stop, death, valid, run_first, run_last, n_deaths, efron_step, start_order,
                     entered_before, exits_by_entry)


def _assemble(stop: np.ndarray, death: np.ndarray, valid: np.ndarray, run_first: np.ndarray,
              run_last: np.ndarray, n_deaths: np.ndarray, efron_step: np.ndarray,
              start_order: np.ndarray | None, entered_before: np.ndarray | None,
              exits_by_entry: np.ndarray | None) -> RiskSets:
    """``RiskSets`` from per-block positions, adding the flat gather indices."""
    n_blocks, m = stop.shape
    offset = (np.arange(n_blocks) * (m + 1))[:, None]
    tied_deaths = np.flatnonzero((death > 0) & (n_deaths > 1))
    new_tied_run = np.ones(tied_deaths.shape[0], dtype=bool)
    new_tied_run[1:] = efron_step.reshape(-1)[tied_deaths[1:]] == 0  # k = 0 starts a run
    death_rows = np.flatnonzero(death > 0)
    return RiskSets(stop=stop, death=death, valid=valid, run_first=run_first, run_last=run_last,
                    n_deaths_in_run=n_deaths, efron_step=efron_step,
                    start_order_at=(None if start_order is None
                                    else np.column_stack([start_order, np.full(n_blocks, m)]) + offset),
                    death_rows=death_rows, death_step=efron_step.reshape(-1)[death_rows],
                    **_death_times(run_first, n_deaths, death_rows, entered_before, exits_by_entry),
                    entered_before=entered_before, exits_by_entry=exits_by_entry,
                    last_end_at=run_last + 1 + offset, tied_deaths=tied_deaths,
                    tied_run_starts=np.flatnonzero(new_tied_run),
                    tied_run_of=np.cumsum(new_tied_run) - 1,
                    exits_at=None if exits_by_entry is None else exits_by_entry + offset)


def _death_times(run_first: np.ndarray, n_deaths: np.ndarray, death_rows: np.ndarray,
                 entered_before: np.ndarray | None, exits_by_entry: np.ndarray | None
                 ) -> dict[str, np.ndarray | None]:
    """The death-time tables of :class:`RiskSets` (``death_time_of`` .. ``times_before_entry_at``)."""
    n_blocks, m = run_first.shape
    opens_time = (run_first == np.arange(m)) & (n_deaths > 0)  # first row of a run with deaths
    times_through = np.cumsum(opens_time, axis=1)  # death times at or before each row
    width = max(int(times_through[:, -1].max()), 1)
    block, position = np.nonzero(opens_time)
    slot = times_through[block, position] - 1
    zero_row = (np.arange(n_blocks) * (m + 1) + m)[:, None]

    def table(values: np.ndarray) -> np.ndarray:
        out = np.repeat(zero_row, width, axis=1)
        out[block, slot] = block * (m + 1) + values
        return out

    time_offset = (np.arange(n_blocks) * (width + 1))[:, None]
    times_before_entry_at = None
    if exits_by_entry is not None:  # death times whose run ends before the row's entry
        times_before = np.zeros((n_blocks, m + 1), dtype=np.intp)
        times_before[:, 1:] = times_through
        times_before_entry_at = np.take_along_axis(times_before, exits_by_entry, axis=1) + time_offset
    return {"death_time_of": (death_rows // m) * width + times_through.reshape(-1)[death_rows] - 1,
            "time_first_at": table(position),
            "time_deaths_end_at": table(position + n_deaths[block, position]),
            "time_entered_at": None if entered_before is None else table(entered_before[block, position]),
            "times_through_at": times_through + time_offset,
            "times_before_entry_at": times_before_entry_at}
