"""Packed sort keys: one integer sort orders (major, time, censored, minor) exactly."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_array_equal

from trialdesk.survival._sort_key import key_runs, pack_keys

TIMES = st.one_of(
    st.sampled_from([0.0, -0.0, 5e-324, 1e-300, 0.5, 1.0, 2.0, 1e300]),  # binades far apart
    st.floats(0.0, 1e4, allow_nan=False, allow_infinity=False),
    st.integers(0, 5).map(float),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(TIMES, st.booleans(), st.integers(0, 2), st.integers(0, 4)),
                min_size=1, max_size=40))
def test_integer_sort_equals_lexicographic_order(rows: list[tuple]) -> None:
    time = np.array([r[0] for r in rows])
    event = np.array([r[1] for r in rows], dtype=float)
    major = np.array([r[2] for r in rows])
    minor = np.array([r[3] for r in rows])
    keys, layout = pack_keys(time, event, major=major, n_major=3, minor=minor, n_minor=5)
    sorted_keys = np.sort(keys)
    runs = key_runs(sorted_keys, layout)
    expected = sorted(zip(major.tolist(), (time + 0.0).tolist(), (1 - event).tolist(),
                          minor.tolist(), strict=True))  # + 0.0 turns -0.0 into 0.0
    distinct = sorted(set(expected))
    assert_array_equal(runs.length, [expected.count(row) for row in distinct])
    major_shift = np.uint64(layout.time_bits + 1 + layout.minor_bits)  # major just above the time
    assert_array_equal(sorted_keys[runs.start] >> major_shift, [row[0] for row in distinct])
    assert_array_equal(layout.times(runs.time_code), [row[1] for row in distinct])
    assert_array_equal(~runs.event, [bool(row[2]) for row in distinct])
    assert_array_equal(runs.minor, [row[3] for row in distinct])


def test_codes_are_bit_patterns_when_they_fit_and_ranks_otherwise() -> None:
    near = np.array([3.0, 0.0, 1.5, 3.0])
    _, layout = pack_keys(near, np.ones(4))
    assert layout.distinct is None
    assert layout.base == int(np.float64(1.5).view(np.uint64))
    far = np.array([5e-324, 1e300, 0.0])
    keys, layout = pack_keys(far, np.ones(3), minor=np.array([0, 1, 2]), n_minor=3)
    assert_array_equal(layout.distinct, [0.0, 5e-324, 1e300])
    assert_array_equal(layout.times(np.sort(keys) >> np.uint64(3)), [0.0, 5e-324, 1e300])


def test_all_zero_times() -> None:
    keys, layout = pack_keys(np.zeros(3), np.array([0.0, 1.0, 1.0]))
    runs = key_runs(np.sort(keys), layout)
    assert_array_equal(layout.times(runs.time_code), [0.0, 0.0])
    assert_array_equal(runs.event, [True, False])
    assert_array_equal(runs.length, [2, 1])


def test_many_minor_codes_and_a_given_time_range() -> None:
    # 300 groups need 9 minor bits: the censored bit and the group share a 16-bit field
    rng = np.random.default_rng(5)
    time, event, minor = rng.exponential(size=900), rng.integers(0, 2, 900), np.arange(900) % 300
    keys, layout = pack_keys(time, event, minor=minor, n_minor=300)
    given_range, _ = pack_keys(time, event, minor=minor, n_minor=300,
                               time_range=(time.min(), time.max()))
    assert_array_equal(keys, given_range)
    runs = key_runs(np.sort(keys), layout)
    order = np.lexsort((minor, 1 - event, time))
    assert_array_equal(runs.minor, minor[order])
    assert_array_equal(runs.event, event[order] == 1)
    assert_array_equal(layout.times(runs.time_code), time[order])


@pytest.mark.parametrize("time", [[0.0, 2.5, 1.0, 0.0, 7.0],              # zero times
                                  [1.5, 3.0, 2.25, 1.5, 9.0],             # bit patterns
                                  [1e300, 0.0, 5e-324, 1e300, 1.0]])      # ranks
def test_times_decode_with_the_major_code_still_above_them(time: list) -> None:
    time = np.array(time)
    major = np.array([1, 0, 1, 0, 1])
    keys, layout = pack_keys(time, np.ones(5), major=major, n_major=2)
    codes = np.sort(keys) >> np.uint64(1)  # (major, time) codes, in order
    first = int(np.sum(major == 0))
    decoded = np.concatenate([layout.times(codes[:first].copy()),
                              layout.times(codes[first:].copy(), major=1)])
    assert_array_equal(decoded, np.concatenate([np.sort(time[major == 0]),
                                                np.sort(time[major == 1])]))
