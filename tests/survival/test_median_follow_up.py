"""Median follow-up by reverse Kaplan-Meier: hand-worked data and the tie rule."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from trialdesk.errors import InputError
from trialdesk.survival import kaplan_meier, median_follow_up, median_follow_up_by_group


def test_hand_worked_reverse_km() -> None:
    # censored at 5 and 7 become the "events"; events at 3 and 9 are "censored"
    # reverse S: 1 at 3, 3/4 -> at 5: 1 * 2/3 = 2/3, at 7: 2/3 * 1/2 = 1/3 -> median 7
    follow_up = median_follow_up([3, 5, 7, 9], [1, 0, 0, 1])
    assert follow_up.median == 7.0
    assert_array_equal(follow_up, median_follow_up([3, 5, 7, 9], [True, False, False, True]))


def test_censorings_come_first_at_a_shared_time() -> None:
    # at time 4 one patient is censored and one has the event: the censoring is the
    # reverse "event" with 3 at risk (the patient with the event is still followed at 4)
    reverse = kaplan_meier([2, 4, 4, 6], 1 - np.array([1, 0, 1, 0]))
    assert reverse.n_risk.tolist() == [4, 3, 1]
    assert reverse.survival[1] == pytest.approx(2 / 3)


def test_not_reached_is_nan() -> None:
    median, lower, upper = median_follow_up([1, 2, 3], [1, 1, 1])
    assert np.isnan(median)
    assert np.isnan(lower)
    assert np.isnan(upper)


def test_by_group_matches_separate_calls() -> None:
    time, event, arm = [1, 4, 6, 2, 5, 8], [0, 0, 1, 1, 0, 0], ["a", "a", "a", "b", "b", "b"]
    by_group = median_follow_up_by_group(time, event, arm)
    assert list(by_group) == ["a", "b"]
    assert_array_equal(by_group["b"], median_follow_up(time[3:], event[3:]))


def test_bad_event_is_an_input_error() -> None:
    with pytest.raises(InputError, match="row 0, event"):
        median_follow_up([1, 2], [3, 0])
