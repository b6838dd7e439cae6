"""Packed uint64 sort keys, so one integer ``np.sort`` (no argsort) orders a whole data set.

A key packs, from the most significant used bits down: a *major* code (stratum or group: patients
of one code end up contiguous), the time's code, a censored bit (events before censorings at a
tie, docs/methods.md#kaplan-meier) and a *minor* code (the group, for the log-rank counts).
Time codes preserve order exactly and are equal exactly when the times are equal: for
positive times the IEEE-754 bit pattern minus that of the smallest positive time, plus 1 (0
for time 0); if that range leaves too few bits, the rank among the distinct times. Nothing is
rounded, so every count is that of the unsorted data. Equal keys form *runs*; the log-rank
kernel works on runs (one per distinct (time, censored, minor) triple), not on patients.
"""

from __future__ import annotations

import logging
import struct
from typing import NamedTuple

import numpy as np

from trialdesk.errors import InputError

__all__ = ["KeyLayout", "KeyRuns", "key_runs", "pack_keys", "time_starts"]

logger = logging.getLogger(__name__)

_ONE = np.uint64(1)


class KeyLayout(NamedTuple):
    """How ``pack_keys`` packed its keys, to read the fields back."""

    minor_bits: int
    time_bits: int
    base: int | None               # time bits = code + base - 1 for code > 0 (bit-pattern codes)
    distinct: np.ndarray | None    # the distinct times (rank codes), else None
    zero_time: bool = False        # some time is 0 (code 0; bit-pattern codes only)

    def times(self, codes: np.ndarray, major: int = 0) -> np.ndarray:
        """Times of the time codes ``codes``: decoded in place, returned as a float64 view.

        ``major``: the major code every one of ``codes`` still carries above its time code.
        """
        field = major << self.time_bits
        if self.distinct is None and self.base is not None and not self.zero_time:
            codes += np.uint64((self.base - 1 - field) % 2**64)  # one pass drops the major field
            return codes.view(np.float64)
        if field:
            codes -= np.uint64(field)
        if self.distinct is not None:
            return self.distinct.take(codes.astype(np.intp), out=codes.view(np.float64))
        if self.base is None:
            codes[:] = 0  # the bits of 0.0
            return codes.view(np.float64)
        zero = codes == 0
        codes += np.uint64(self.base - 1)
        codes[zero] = 0
        return codes.view(np.float64)


class KeyRuns(NamedTuple):
    """Runs of equal sorted keys: where each starts, its length and its fields (all (m,))."""

    start: np.ndarray     # int64, position of the run's first patient in the sorted keys
    length: np.ndarray    # int64, patients in the run
    time_code: np.ndarray  # uint64, ``KeyLayout.times`` turns it into the time
    event: np.ndarray     # bool, true = a run of events (false = censorings)
    minor: np.ndarray     # int64, the minor code (0 without one)


def _bits_for(n_codes: int) -> int:
    """Bits that hold codes 0 .. n_codes - 1 (0 for a single code)."""
    return max(n_codes - 1, 0).bit_length()


def pack_keys(time: np.ndarray, event: np.ndarray, *, major: np.ndarray | None = None,
              n_major: int = 1, minor: np.ndarray | None = None, n_minor: int = 1,
              time_range: tuple[float, float] | None = None) -> tuple[np.ndarray, KeyLayout]:
    """Unsorted keys (uint64, one per patient) and their layout.

    time: (n,) float64 >= 0, finite; event: (n,) booleans (true = event) or 0/1 numbers;
    major, minor: (n,) integer codes in 0 .. n_major - 1 and 0 .. n_minor - 1, or None;
    time_range: the smallest and largest time when the caller has them (else computed). The
    major code sits just above the time code. The key is built in place in one uint64 array
    (at n = 1e6 each uint64 temporary is 8 MB of fresh pages, which cost more to fault in than
    the arithmetic): it starts as the major code and the time's bits are added to it.
    """
    minor_bits, major_bits = _bits_for(n_minor), _bits_for(n_major)
    layout = _time_layout(time, 64 - major_bits - 1 - minor_bits, minor_bits, time_range)
    key = _major_and_time_codes(time, major if major_bits else None, n_major, layout)
    key <<= np.uint64(1 + minor_bits)
    key |= _low_bits(event, minor, minor_bits)
    return key, layout


def _low_bits(event: np.ndarray, minor: np.ndarray | None, minor_bits: int) -> np.ndarray:
    """The censored bit above the minor code, in the narrowest unsigned type.

    Built on 1-byte flags, so one pass over the 8-byte keys ORs both fields in.
    """
    censored = (np.logical_not(event) if event.dtype == bool else event == 0).view(np.uint8)
    if not minor_bits:
        return censored
    low = np.left_shift(censored, minor_bits, dtype=np.min_scalar_type((2 << minor_bits) - 1))
    if minor is not None:
        np.bitwise_or(low, minor, out=low, casting="unsafe")  # codes < 2**minor_bits fit
    return low


def _as_unsigned(codes: np.ndarray) -> np.ndarray:
    """Non-negative integer codes as uint64 (a view when they are 64-bit)."""
    if codes.dtype.itemsize == 8 and codes.dtype.kind in "iu":
        return codes.view(np.uint64)
    return codes.astype(np.uint64)


def _time_layout(time: np.ndarray, free_bits: int, minor_bits: int,
                 time_range: tuple[float, float] | None) -> KeyLayout:
    """How the times are coded: by bit pattern when the range fits in ``free_bits``, else by rank."""
    if time.shape[0] == 0:
        return KeyLayout(minor_bits, 0, None, None)
    smallest, largest = (float(time.min()), float(time.max())) if time_range is None else time_range
    if smallest > 0:
        base = _bit_pattern(smallest)
    else:
        positive = float(np.min(time, where=time > 0, initial=np.inf))
        base = _bit_pattern(positive) if positive < np.inf else None
    if base is None:  # every time is 0
        return KeyLayout(minor_bits, 0, None, None)
    time_bits = (_bit_pattern(largest) - base + 1).bit_length()
    if time_bits <= free_bits:
        return KeyLayout(minor_bits, time_bits, base, None, zero_time=smallest <= 0)
    logger.debug("times span %d bits; coding them by rank", time_bits)
    distinct = np.unique(time)
    rank_bits = _bits_for(distinct.shape[0])
    if rank_bits > free_bits:
        raise InputError(f"too many distinct groups and strata to sort with {distinct.shape[0]} "
                         "distinct times", field="group", hint="group rare labels together")
    distinct += 0.0  # -0.0 -> 0.0, as the bit-pattern codes read it
    return KeyLayout(minor_bits, rank_bits, None, distinct)


def _major_and_time_codes(time: np.ndarray, major: np.ndarray | None, n_major: int,
                          layout: KeyLayout) -> np.ndarray:
    """(n,) uint64: the major code shifted above ``layout.time_bits`` plus the time's code.

    Bit-pattern codes are the time's bits less ``base - 1`` (0 for time 0, also -0.0, whose
    pattern has the sign bit set); with a major code, the code's field less ``base - 1`` comes
    from a table of ``n_major`` entries (uint64 arithmetic wraps, and the sum is exact).
    """
    if layout.distinct is not None:
        key = np.searchsorted(layout.distinct, time).astype(np.uint64)
    elif layout.base is None:
        key = np.zeros(time.shape[0], dtype=np.uint64)
    elif major is not None and not layout.zero_time:
        offsets = np.array([((code << layout.time_bits) - layout.base + 1) % 2**64
                            for code in range(n_major)], dtype=np.uint64)
        key = offsets.take(major)
        key += time.view(np.uint64)
        return key
    else:
        key = np.subtract(time.view(np.uint64), np.uint64(layout.base - 1))
        if layout.zero_time:
            np.multiply(key, time > 0, out=key)
    if major is not None:
        key |= np.left_shift(_as_unsigned(major), np.uint64(layout.time_bits))
    return key


def _bit_pattern(value: float) -> int:
    """The IEEE-754 bit pattern of a float64, as an int."""
    return int.from_bytes(struct.pack("<d", value), "little")


def key_runs(sorted_keys: np.ndarray, layout: KeyLayout) -> KeyRuns:
    """The runs of equal keys in ``sorted_keys`` (n >= 1, sorted ascending)."""
    n = sorted_keys.shape[0]
    first = np.empty(n, dtype=bool)
    first[0] = True
    np.not_equal(sorted_keys[1:], sorted_keys[:-1], out=first[1:])
    start = first.nonzero()[0]
    length = np.empty_like(start)
    length[:-1] = start[1:] - start[:-1]
    length[-1] = n - start[-1]
    run_keys = sorted_keys.take(start)
    if layout.minor_bits:
        minor = (run_keys & np.uint64((1 << layout.minor_bits) - 1)).astype(np.int64)
        run_keys >>= np.uint64(layout.minor_bits)
    else:
        minor = np.zeros(start.shape[0], dtype=np.int64)
    event = (run_keys & _ONE) == 0
    run_keys >>= _ONE
    if layout.time_bits < 64:
        run_keys &= np.uint64((1 << layout.time_bits) - 1)
    return KeyRuns(start, length, run_keys, event, minor)


def time_starts(runs: KeyRuns) -> np.ndarray:
    """Index (into the runs) of the first run of each distinct time."""
    first = np.ones(runs.start.shape[0], dtype=bool)
    first[1:] = runs.time_code[1:] != runs.time_code[:-1]
    return first.nonzero()[0]
