"""batch.km_at: equal to kaplan_meier(...).at(times) in a loop, shapes and padding."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

from trialdesk.errors import InputError
from trialdesk.survival import batch, kaplan_meier

BATCH_TOLERANCE = 1e-10
LANDMARKS = [0.0, 0.5, 2.0, 5.0, 9.0, 40.0]


def _trials(seed: int, n_trials: int, n: int) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    time = np.floor(rng.exponential(6.0, (n_trials, n)) * 2) / 2
    event = rng.random((n_trials, n)) < 0.5
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
