"""batch.logrank_test: equal to the single-trial test in a loop, shapes, padding and chunks."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

from trialdesk.errors import InputError
from trialdesk.survival import batch, logrank_test
from trialdesk.survival.batch import _rows

BATCH_TOLERANCE = 1e-10


def _trials(seed: int, n_trials: int, n: int, *, tied: bool) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    time = rng.exponential(6.0, (n_trials, n))
    if tied:
        time = np.floor(time)
    event = rng.random((n_trials, n)) < 0.6
    arm = rng.random((n_trials, n)) < 0.5
    mask = rng.random((n_trials, n)) < 0.85
    return time, event, arm, mask


def _assert_equals_loop(time: np.ndarray, event: np.ndarray, arm: np.ndarray,
                        mask: np.ndarray, rho: float) -> None:
    result = batch.logrank_test(time, event, arm, mask, rho=rho)
    for i in range(time.shape[0]):
        present = mask[i]
        if len(np.unique(arm[i][present])) < 2:
            assert result.df[i] == 0
            assert result.chisq[i] == 0
            assert result.p_value[i] == 1
            continue
        single = logrank_test(time[i][present], event[i][present], arm[i][present], rho=rho)
        assert result.df[i] == single.df
        # NaN where the one variance left is 0 (R's solve() fails there): NaN in both
        assert_allclose([result.chisq[i], result.p_value[i]], [single.chisq, single.p_value],
                        rtol=0, atol=BATCH_TOLERANCE)
        assert_allclose(result.observed[i], single.observed, rtol=0, atol=BATCH_TOLERANCE)
        assert_allclose(result.expected[i], single.expected, rtol=0, atol=BATCH_TOLERANCE)


@pytest.mark.parametrize("tied", [True, False])
@pytest.mark.parametrize("rho", [0.0, 1.0])
def test_batch_equals_single_trial_loop(tied: bool, rho: float) -> None:
    _assert_equals_loop(*_trials(11, 60, 25, tied=tied), rho=rho)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 8), st.integers(2, 30))
def test_batch_equals_loop_for_random_shapes(seed: int, n_trials: int, n: int) -> None:
    _assert_equals_loop(*_trials(seed, n_trials, n, tied=True), rho=0.0)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 6))
def test_identical_trials_give_identical_answers(seed: int, copies: int) -> None:
    time, event, arm, _ = _trials(seed, 1, 30, tied=True)
    result = batch.logrank_test(np.repeat(time, copies, axis=0), np.repeat(event, copies, axis=0),
                                np.repeat(arm, copies, axis=0))
    assert np.all(result.chisq == result.chisq[0])
    assert np.all(result.p_value == result.p_value[0])


def test_leading_axes_are_trials() -> None:
    time, event, arm, mask = _trials(5, 6, 20, tied=False)
    flat = batch.logrank_test(time, event, arm, mask)
    shaped = batch.logrank_test(*(a.reshape(2, 3, 20) for a in (time, event, arm, mask)))
    assert shaped.chisq.shape == (2, 3)
    assert shaped.observed.shape == (2, 3, 2)
    assert_array_equal(shaped.chisq.ravel(), flat.chisq)


def test_chunks_do_not_change_results(monkeypatch: pytest.MonkeyPatch) -> None:
    time, event, arm, mask = _trials(8, 40, 20, tied=True)
    whole = batch.logrank_test(time, event, arm, mask)
    monkeypatch.setattr(_rows, "CHUNK_CELLS", 50)
    chunked = batch.logrank_test(time, event, arm, mask)
    assert_array_equal(chunked.chisq, whole.chisq)


def test_padding_cells_may_hold_anything() -> None:
    time, event, arm, mask = _trials(9, 10, 15, tied=False)
    garbage = np.where(mask, time, np.nan), np.where(mask, event, 7), np.where(mask, arm, -1)
    assert_array_equal(batch.logrank_test(*garbage, mask).chisq,
                       batch.logrank_test(time, event, arm, mask).chisq)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (([1.0, 2.0], [1, 1], [0, 1]), "time: must be at least 2-D"),
        (([[1.0, -2.0]], [[1, 1]], [[0, 1]]), "row 1, time: is negative"),
        (([[1.0, 2.0]], [[1, 1]], [[0, 2]]), "row 1, arm: must be 0"),
        (([[1.0, 2.0]], [[1, 1, 1]], [[0, 1]]), "event: has shape"),
        (([[1.0, 2.0]], [[1, 1]], [[0, 1]], [[1, 0]]), "mask: must be booleans"),
    ],
)
def test_bad_input_is_an_input_error(arguments: tuple, message: str) -> None:
    with pytest.raises(InputError, match=message):
        batch.logrank_test(*arguments)


def test_an_error_in_a_later_chunk_names_the_index_in_the_whole_batch(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks are checked as they are read; the index is still the flat one of the batch."""
    time, event, arm = np.ones((3, 4)), np.ones((3, 4)), np.tile([0.0, 1.0], (3, 2))
    time[2, 1], event[1, 3] = -1.0, 2.0
    monkeypatch.setattr(_rows, "CHUNK_CELLS", 4)
    with pytest.raises(InputError, match="row 7, event: must be 0"):
        batch.logrank_test(time, event, arm)
    event[1, 3] = 1.0
    with pytest.raises(InputError, match="row 9, time: is negative"):
        batch.cox_ph(time, event, arm)
