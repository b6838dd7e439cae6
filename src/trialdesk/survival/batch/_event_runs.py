"""Two-arm risk tables at each trial's event times, from one integer sort per trial.

``batch.logrank_test`` and ``batch.cox_ph`` both need, at every distinct time with an event
in every trial, the patients at risk and the events, in both arms together and in arm 1
(docs/methods.md#batch-forms). Each patient becomes one uint64 key (``_sort_key.pack_keys``:
an exact order-preserving time code, a censored bit, the arm bit); each trial's keys are
sorted with ``numpy.sort`` (an integer sort, no argsort) and counted with one cumulative sum
of packed counters. Nothing is rounded: every count is that of the unsorted data.
"""

from __future__ import annotations

import logging
from typing import NamedTuple, cast

import numpy as np

from trialdesk.survival._sort_key import pack_keys
from trialdesk.survival.batch._rows import BatchInput

__all__ = ["ArmTables", "EventRuns", "chunk_tables", "event_runs", "per_trial_layout"]

logger = logging.getLogger(__name__)

#: Key bits below the time code: the censored bit, then the arm bit (``pack_keys`` with two
#: minor codes), so the deaths come first in each run of equal times.
_TIME_SHIFT = np.uint64(2)
_LOW_BITS = np.uint64(3)
_FIRST_CENSORED = 2
#: Padding sorts after every patient and counts as a censored arm-0 patient, i.e. as nothing.
_PADDING_KEY = np.uint64(2**64 - 2)
#: What each running counter counts (columns), by the key's low bits (rows: death in arm 0,
#: death in arm 1, censored in arm 0, censored in arm 1).
_DEATHS, _ARM1_DEATHS, _ARM1 = 0, 1, 2
_COUNTED = np.array([[1, 0, 0], [1, 1, 1], [0, 0, 0], [0, 0, 1]], dtype=np.uint64)


class ArmTables(NamedTuple):
    """Per-trial tables ``(T, 2, width)`` float64 (arm 0, arm 1) at the event times, in time
    order. After a trial's last event time its row is padded with times without events and one
    patient at risk in arm 0: they add nothing to either test, and every Cox denominator stays
    positive."""

    n_risk: np.ndarray
    n_event: np.ndarray


class EventRuns(NamedTuple):
    """The distinct event times of ``n_trials`` trials, in trial then time order (arrays ``(E,)``).

    At each time t: ``n_risk`` and ``n_risk_arm1`` count the patients with time >= t (as R's
    survfit ``n.risk``), ``n_event`` and ``n_event_arm1`` the events at t (all int64).
    ``trial`` is the row of the trial, ``column`` numbers each trial's event times 0, 1, ...
    and ``width`` bounds the number of events in one trial: it is the same for every chunk of
    a batch (``BatchInput.most_events``), so no trial's arithmetic (sums along its row,
    padding included) depends on which trials share its chunk.
    """

    trial: np.ndarray
    column: np.ndarray
    n_risk: np.ndarray
    n_risk_arm1: np.ndarray
    n_event: np.ndarray
    n_event_arm1: np.ndarray
    n_trials: int
    width: int

    def by_arm(self) -> ArmTables:
        """At risk and events per arm, laid out per trial."""
        shape = (self.n_trials, 2, self.width)
        n_risk, n_event = np.zeros(shape), np.zeros(shape)
        n_risk[:, 0] = 1.0
        cell = self.trial * (2 * self.width) + self.column  # arm 0; arm 1 is ``width`` later
        for table, total, arm1 in ((n_risk, self.n_risk, self.n_risk_arm1),
                                   (n_event, self.n_event, self.n_event_arm1)):
            flat = table.reshape(-1)
            flat[cell] = total - arm1
            flat[cell + self.width] = arm1
        return ArmTables(n_risk, n_event)


def chunk_tables(batch: BatchInput, rows: slice, width: int) -> tuple[EventRuns, ArmTables]:
    """The event runs and per-arm tables of the trials ``rows`` of a two-arm ``batch``;
    ``width`` = ``batch.most_events()``."""
    chunk = batch.rows(rows)
    arm = cast(np.ndarray, chunk.arm)  # two-arm functions always pass arm
    runs = event_runs(chunk.time, chunk.event, arm, chunk.valid, width=width)
    return runs, runs.by_arm()


def per_trial_layout(trial: np.ndarray, n_trials: int) -> np.ndarray:
    """For entries grouped by trial (``trial`` non-decreasing), each one's number within its
    trial: 0, 1, ..."""
    counts = np.bincount(trial, minlength=n_trials)
    first = np.cumsum(counts) - counts
    return np.arange(trial.shape[0]) - first[trial]


def event_runs(time: np.ndarray, event: np.ndarray, arm: np.ndarray, valid: np.ndarray, *,
               width: int) -> EventRuns:
    """Risk tables of ``(T, n)`` trials at their event times.

    ``time`` float64 >= 0, ``event`` and ``arm`` 0/1 (bool or numbers) and 0 on padding,
    ``valid`` false on padding, all validated by the caller; ``width`` as in :class:`EventRuns`.

    An event time's run starts at its first death (deaths sort first), and everything from
    there to the next event time's first death (in this or a later trial) is that time's
    deaths, then censorings or padding: so the deaths at each event time are differences of
    running counts at consecutive first deaths. Every position before a first death holds a
    patient (padding sorts after all deaths), so the patients at risk are the trial's patients
    less the positions before it.
    """
    n_trials, n = time.shape
    if time.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return EventRuns(empty, empty, empty, empty, empty, empty, n_trials, width)
    key, _ = pack_keys(time.reshape(-1), event.reshape(-1), minor=arm.reshape(-1), n_minor=2)
    flat_valid = valid.reshape(-1)
    padded = not flat_valid.all()
    if padded:
        key[~flat_valid] = _PADDING_KEY
    key = np.sort(key.reshape(n_trials, n), axis=1).reshape(-1)
    low_bits = (key & _LOW_BITS).view(np.int64)
    first_death = np.empty(key.shape[0], dtype=bool)  # first death at its time in its trial
    key >>= _TIME_SHIFT
    np.not_equal(key[1:], key[:-1], out=first_death[1:])
    first_death[::n] = True
    first_death &= low_bits < _FIRST_CENSORED
    start = np.flatnonzero(first_death)
    trial = start // n
    row_end = (trial + 1) * n  # arm-1 patients are counted to here: padding counts as no one
    counts = _RunningCounts(low_bits, n)
    at_start = counts.at(start)
    to_next_start = np.diff(at_start, axis=1, append=counts.at(np.array([key.shape[0]])))
    n_risk = valid.sum(axis=1)[trial] - (start - trial * n) if padded else row_end - start
    return EventRuns(trial=trial, column=per_trial_layout(trial, n_trials), n_risk=n_risk,
                     n_risk_arm1=counts.field(counts.at(row_end) - at_start, _ARM1),
                     n_event=counts.field(to_next_start, _DEATHS),
                     n_event_arm1=counts.field(to_next_start, _ARM1_DEATHS),
                     n_trials=n_trials, width=width)


class _RunningCounts:
    """Running counts over the sorted positions of the ``_COUNTED`` counters.

    The counters share the bit fields of uint64 cumulative sums, as many per sum as fit (all
    three for trials of fewer than 2**21 patients). A sum may wrap around 2**64: differences
    modulo 2**64 are exact. Every difference read counts at most ``n`` positions of the
    counter read and of the counters below it in its sum (the deaths of one event time, or a
    trial's patients from a time on), so no field carries into the next.
    """

    def __init__(self, low_bits: np.ndarray, n: int):
        self.bits = max(n.bit_length(), 1)
        self.per_sum = 64 // self.bits
        n_sums = -(-_COUNTED.shape[1] // self.per_sum)
        self.running = np.empty((n_sums, low_bits.shape[0] + 1), dtype=np.uint64)
        self.running[:, 0] = 0
        for group, running in enumerate(self.running):
            counted = _COUNTED[:, group * self.per_sum:(group + 1) * self.per_sum]
            shifts = (self.bits * np.arange(counted.shape[1])).astype(np.uint64)
            np.cumsum((counted << shifts).sum(axis=1)[low_bits], out=running[1:])

    def at(self, positions: np.ndarray) -> np.ndarray:
        """The packed counts before ``positions`` (0 .. len): ``(sums, len(positions))``."""
        return self.running[:, positions]

    def field(self, difference: np.ndarray, counter: int) -> np.ndarray:
        """One counter's counts (int64) from differences of :meth:`at` values."""
        group, field = divmod(counter, self.per_sum)
        values = difference[group] >> np.uint64(self.bits * field)
        if self.bits * (field + 1) < 64:
            values &= np.uint64((1 << self.bits) - 1)
        return values.view(np.int64)
