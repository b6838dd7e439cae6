"""batch.km_at, batch.km_ci_at, batch.km_median and batch.median_follow_up: the single-trial
engine in a loop, by hand, shapes and padding."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

from trialdesk.errors import InputError
from trialdesk.survival import batch, kaplan_meier, median_follow_up

BATCH_TOLERANCE = 1e-10
LANDMARKS = [0.0, 0.5, 2.0, 5.0, 9.0, 40.0]
CONF_TYPES = st.sampled_from(["log", "log-log", "plain"])


def _trials(seed: int, n_trials: int, n: int) -> tuple[np.ndarray, ...]:
    """Half-unit times (many ties, some exactly at a median), ~60% events, ~20% padding."""
    rng = np.random.default_rng(seed)
    time = np.floor(rng.exponential(6.0, (n_trials, n)) * 2) / 2
    event = rng.random((n_trials, n)) < 0.6
    mask = rng.random((n_trials, n)) < 0.8
    mask[:, 0] = True
    return time, event, mask


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 10), st.integers(1, 40))
def test_batch_equals_single_trial_loop(seed: int, n_trials: int, n: int) -> None:
    time, event, mask = _trials(seed, n_trials, n)
    survival = batch.km_at(time, event, LANDMARKS, mask)
    assert survival.shape == (n_trials, len(LANDMARKS))
    for i in range(n_trials):
        expected = kaplan_meier(time[i][mask[i]], event[i][mask[i]]).at(LANDMARKS).survival
        assert_allclose(survival[i], expected, rtol=0, atol=BATCH_TOLERANCE)


def test_hand_worked_two_trials() -> None:
    survival = batch.km_at([[1, 2, 3, 4], [1, 1, 3, 4]], [[1, 0, 1, 1], [1, 1, 0, 1]],
                           [0.5, 1, 3, 4, 5])
    assert_allclose(survival[0, :4], [1, 0.75, 0.375, 0])
    assert_allclose(survival[1, :4], [1, 0.5, 0.5, 0])
    assert np.all(np.isnan(survival[:, 4]))  # beyond the last observed time


def test_identical_trials_give_identical_answers() -> None:
    time, event, _ = _trials(4, 1, 50)
    survival = batch.km_at(np.repeat(time, 5, axis=0), np.repeat(event, 5, axis=0), LANDMARKS)
    for row in survival[1:]:
        assert_array_equal(row, survival[0])


def test_leading_axes_are_trials() -> None:
    time, event, mask = _trials(2, 6, 12)
    flat = batch.km_at(time, event, LANDMARKS, mask)
    shaped = batch.km_at(time.reshape(3, 2, 12), event.reshape(3, 2, 12), LANDMARKS,
                         mask.reshape(3, 2, 12))
    assert_array_equal(shaped.reshape(6, -1), flat)


def test_bad_landmark_is_an_input_error() -> None:
    with pytest.raises(InputError, match="row 1, times: is negative"):
        batch.km_at([[1.0, 2.0]], [[1, 0]], [1.0, -1.0])


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 8), st.integers(1, 40), CONF_TYPES,
       st.floats(0.5, 0.99))
def test_km_median_equals_single_trial_loop(seed: int, n_trials: int, n: int, conf_type: str,
                                            conf_level: float) -> None:
    time, event, mask = _trials(seed, n_trials, n)
    medians = batch.km_median(time, event, mask, conf_type=conf_type, conf_level=conf_level)
    for i in range(n_trials):
        km = kaplan_meier(time[i][mask[i]], event[i][mask[i]], conf_type=conf_type,
                          conf_level=conf_level)
        expected = [km.median, *km.median_ci]
        got = [medians.median[i], medians.lower[i], medians.upper[i]]
        assert_allclose(got, expected, rtol=0, atol=BATCH_TOLERANCE)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 8), st.integers(1, 40))
def test_median_follow_up_equals_single_trial_loop(seed: int, n_trials: int, n: int) -> None:
    time, event, mask = _trials(seed, n_trials, n)
    follow_up = batch.median_follow_up(time, event, mask)
    for i in range(n_trials):
        expected = median_follow_up(time[i][mask[i]], event[i][mask[i]])
        got = [follow_up.median[i], follow_up.lower[i], follow_up.upper[i]]
        assert_allclose(got, list(expected), rtol=0, atol=BATCH_TOLERANCE)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 8), st.integers(1, 40), CONF_TYPES)
def test_km_ci_at_equals_single_trial_loop(seed: int, n_trials: int, n: int,
                                           conf_type: str) -> None:
    time, event, mask = _trials(seed, n_trials, n)
    at = batch.km_ci_at(time, event, LANDMARKS, mask, conf_type=conf_type)
    assert at.survival.shape == (n_trials, len(LANDMARKS))
    assert_array_equal(at.survival, batch.km_at(time, event, LANDMARKS, mask))
    for i in range(n_trials):
        expected = kaplan_meier(time[i][mask[i]], event[i][mask[i]],
                                conf_type=conf_type).at(LANDMARKS)
        for got, want in zip(at, expected, strict=True):
            assert_allclose(got[i], want, rtol=0, atol=BATCH_TOLERANCE)


def test_median_by_hand() -> None:
    """Times 1-4. All events: S = .75, .5, .25, 0, exactly 0.5 at 2 until the drop at 3.

    R: print(survfit(Surv(c(1, 2, 3, 4), rep(1, 4)) ~ 1)) gives median 2.5, 0.95LCL 1, UCL NA.
    Events at 3 and 4 only: S = 1, 1, .5, 0 -> median (3 + 4) / 2. None: not reached.
    """
    medians = batch.km_median([[1, 2, 3, 4], [4, 3, 2, 1], [1, 2, 3, 4]],
                              [[1, 1, 1, 1], [1, 1, 1, 1], [0, 0, 1, 1]])
    assert_array_equal(medians.median, [2.5, 2.5, 3.5])
    assert_array_equal(medians.lower, [1.0, 1.0, 3.0])
    assert np.isnan(medians.upper).all()
    assert np.isnan(batch.km_median([[1.0, 2.0]], [[0, 0]]).median[0])


def test_reverse_km_by_hand() -> None:
    """Censored at 5 and 7 are the reverse events: reverse S = 1, 2/3, 1/3 -> median 7."""
    assert batch.median_follow_up([[3, 5, 7, 9]], [[1, 0, 0, 1]]).median.tolist() == [7.0]


def test_padding_and_empty_trials() -> None:
    time = np.array([[1.0, 2.0, 3.0, 99.0], [5.0, 6.0, 7.0, 8.0]])
    event = np.array([[1, 1, 1, 1], [1, 1, 1, 1]])
    mask = np.array([[True, True, True, False], [False, False, False, False]])
    medians = batch.km_median(time, event, mask)
    assert medians.median[0] == kaplan_meier([1.0, 2.0, 3.0], [1, 1, 1]).median == 2.0
    assert np.isnan([medians.median[1], medians.lower[1], medians.upper[1]]).all()


def test_leading_axes_are_trials_and_identical_trials_agree() -> None:
    time, event, mask = _trials(3, 6, 15)
    flat = batch.km_median(time, event, mask)
    shaped = batch.km_median(time.reshape(2, 3, 15), event.reshape(2, 3, 15),
                             mask.reshape(2, 3, 15))
    for got, want in zip(shaped, flat, strict=True):
        assert got.shape == (2, 3)
        assert_array_equal(got.reshape(-1), want)
    repeated = batch.median_follow_up(np.repeat(time[:1], 4, axis=0),
                                      np.repeat(event[:1], 4, axis=0))
    for values in repeated:
        assert_array_equal(values, np.full(4, values[0]))


def test_bad_arguments_are_input_errors() -> None:
    with pytest.raises(InputError, match="conf_type"):
        batch.km_median([[1.0, 2.0]], [[1, 0]], conf_type="arcsin")
    with pytest.raises(InputError, match="conf_level"):
        batch.median_follow_up([[1.0, 2.0]], [[1, 0]], conf_level=1.5)
    with pytest.raises(InputError, match="event"):
        batch.km_median([[1.0, 2.0]], [[1, 2]])
