"""_event_runs: risk tables at the event times, counted by hand."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_array_equal

from trialdesk.survival.batch import _event_runs


def _by_hand(time: np.ndarray, event: np.ndarray, arm: np.ndarray, valid: np.ndarray) -> list[tuple]:
    rows = []
    for trial in range(time.shape[0]):
        t, e, a = time[trial][valid[trial]], event[trial][valid[trial]], arm[trial][valid[trial]]
        for at in np.unique(t[e]):
            rows.append((trial, int(np.sum(t >= at)), int(np.sum((t >= at) & a)),
                         int(np.sum((t == at) & e)), int(np.sum((t == at) & e & a))))
    return rows


def _counted(runs: _event_runs.EventRuns) -> list[tuple]:
    return list(zip(runs.trial.tolist(), runs.n_risk.tolist(), runs.n_risk_arm1.tolist(),
                    runs.n_event.tolist(), runs.n_event_arm1.tolist(), strict=True))


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 8), st.integers(1, 25), st.booleans())
def test_counts_equal_counting_by_hand(seed: int, n_trials: int, n: int, padded: bool) -> None:
    rng = np.random.default_rng(seed)
    time = rng.integers(0, 6, (n_trials, n)).astype(float)  # heavy ties, time 0 included
    event, arm = rng.random((n_trials, n)) < 0.5, rng.random((n_trials, n)) < 0.5
    valid = rng.random((n_trials, n)) < 0.8 if padded else np.ones((n_trials, n), dtype=bool)
    time, event, arm = np.where(valid, time, 0.0), event & valid, arm & valid
    width = int(event.sum(axis=1).max())
    runs = _event_runs.event_runs(time, event, arm, valid, width=width)
    assert _counted(runs) == _by_hand(time, event, arm, valid)
    tables = runs.by_arm()
    assert tables.n_risk.shape == (n_trials, 2, width)
    assert_array_equal(tables.n_event.sum(axis=(1, 2)), event.sum(axis=1))


def test_counters_split_over_several_sums_when_fields_are_wide() -> None:
    """Trials of 2**21 patients or more need wider fields than three fit in 64 bits (a
    difference read never counts more than a trial has patients: here 1000)."""
    low_bits = np.random.default_rng(1).integers(0, 4, 1000)
    narrow, wide = _event_runs._RunningCounts(low_bits, 1000), _event_runs._RunningCounts(low_bits, 2**40)
    assert len(narrow.running) == 1
    assert len(wide.running) == 3
    first, last = np.array([0, 10, 500]), np.array([1000, 20, 900])
    for counter, counted in enumerate(_event_runs._COUNTED.T):
        by_hand = [int(counted[low_bits[a:b]].sum()) for a, b in zip(first, last, strict=True)]
        for counts in (narrow, wide):
            assert counts.field(counts.at(last) - counts.at(first), counter).tolist() == by_hand
