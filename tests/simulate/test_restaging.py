"""Scans on whole days: the detecting scan and the last scan before a horizon, checked by hand."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from trialdesk.simulate.restaging import first_scan_on_or_after, last_scan_on_or_before, scan_days
from trialdesk.simulate.scenario import RestagingSchedule

SCHEDULE = RestagingSchedule(interval_weeks=12, window_days=7)


def test_scans_by_hand() -> None:
    """Planned days 84, 168, 252 with jitter -7, +3, 0: scans on days 77, 171, 252."""
    jitter = np.array([[-7, 3, 0]], dtype=np.int8)
    np.testing.assert_array_equal(scan_days(jitter, np.array([0]), SCHEDULE), [0.0])
    np.testing.assert_array_equal(scan_days(np.repeat(jitter, 3, axis=0), np.array([1, 2, 4]), SCHEDULE),
                                  [77.0, 171.0, np.inf])
    days = np.array([1.0, 77.0, 77.5, 170.0, 252.0, 300.0, np.inf])
    repeated = np.repeat(jitter, days.size, axis=0)
    np.testing.assert_array_equal(first_scan_on_or_after(repeated, days, SCHEDULE),
                                  [77, 77, 171, 171, 252, np.inf, np.inf])
    np.testing.assert_array_equal(last_scan_on_or_before(repeated[:6], days[:6], SCHEDULE),
                                  [0, 77, 77, 77, 252, 252])


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(0, 41), st.sampled_from([None, 6, 12, 20]))
def test_two_candidates_agree_with_a_search_of_the_whole_schedule(seed: int, window: int,
                                                                 first_weeks: int | None) -> None:
    schedule = RestagingSchedule(interval_weeks=12, window_days=window, first_weeks=first_weeks)
    rng = np.random.default_rng(seed)
    jitter = rng.integers(-window, window + 1, size=(200, 10), dtype=np.int8)
    scans = schedule.first_days + 84.0 * np.arange(10) + jitter
    day = rng.uniform(0, 1000, 200)
    later = np.where(scans >= day[:, None], scans, np.inf).min(axis=1)
    earlier = np.where(scans <= day[:, None], scans, 0.0).max(axis=1)
    np.testing.assert_array_equal(first_scan_on_or_after(jitter, day, schedule), later)
    np.testing.assert_array_equal(last_scan_on_or_before(jitter, day, schedule), earlier)
