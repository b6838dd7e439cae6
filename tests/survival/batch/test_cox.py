"""batch.cox_ph: identical to the single-trial cox_ph in a loop, padding, shapes, edge trials."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trialdesk.errors import InputError, TrialdeskWarning
from trialdesk.survival import batch, cox_ph
from trialdesk.survival.batch import _rows


def _trials(seed: int, n_trials: int, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Random trials (whole-week times: ties) with a finite estimate: the first two patients
    die first, together, one per arm (so no arm's deaths all come while the other arm is gone,
    the monotone likelihood where both fits stop at an arbitrary large coefficient)."""
    rng = np.random.default_rng(seed)
    arm = (rng.random((n_trials, n)) < 0.5).astype(float)
    time = np.ceil(rng.exponential(12.0, (n_trials, n)) * np.exp(-0.4 * arm))
    event = (rng.random((n_trials, n)) < 0.6).astype(float)
    time[:, :2], event[:, :2], arm[:, 0], arm[:, 1] = 0.5, 1.0, 0.0, 1.0
    return time, event, arm


def _loop(time: np.ndarray, event: np.ndarray, arm: np.ndarray, ties: str) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TrialdeskWarning)
        fits = [cox_ph(t, e, a, ties=ties) for t, e, a in zip(time, event, arm, strict=True)]
    return np.array([[fit.coef[0], fit.se[0]] for fit in fits])


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 12), st.integers(4, 80),
       st.sampled_from(["efron", "breslow"]))
def test_batch_equals_single_trial_loop(seed: int, n_trials: int, n: int, ties: str) -> None:
    time, event, arm = _trials(seed, n_trials, n)
    fit = batch.cox_ph(time, event, arm, ties=ties)
    expected = _loop(time, event, arm, ties)
    np.testing.assert_allclose(fit.coef, expected[:, 0], rtol=0, atol=1e-10)
    np.testing.assert_allclose(fit.se, expected[:, 1], rtol=0, atol=1e-10)


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(2, 8))
def test_padding_by_mask_equals_the_unpadded_trials(seed: int, n_trials: int) -> None:
    time, event, arm = _trials(seed, n_trials, 40)
    sizes = np.random.default_rng(seed).integers(10, 41, n_trials)
    mask = np.arange(40)[None, :] < sizes[:, None]
    padded_time = np.where(mask, time, np.nan)  # padding may hold anything
    fit = batch.cox_ph(padded_time, event, arm, mask)
    for trial, size in enumerate(sizes):
        single = cox_ph(time[trial, :size], event[trial, :size], arm[trial, :size])
        assert fit.coef[trial] == pytest.approx(single.coef[0], abs=1e-10)
        assert fit.se[trial] == pytest.approx(single.se[0], abs=1e-10)


def test_identical_trials_give_identical_answers_and_leading_shape_is_kept() -> None:
    time, event, arm = _trials(7, 1, 76)
    looks = 3
    fit = batch.cox_ph(*(np.tile(values, (4, looks, 1)) for values in (time, event, arm)))
    assert fit.coef.shape == (4, looks)
    assert np.all(fit.coef == fit.coef[0, 0])
    assert np.all(fit.se == fit.se[0, 0])


def test_trials_without_events_or_with_one_arm_are_nan() -> None:
    time, event, arm = _trials(11, 3, 30)
    event[0] = 0.0
    arm[1, :2] = 1.0
    arm[1] = 1.0
    fit = batch.cox_ph(time, event, arm)
    assert np.isnan(fit.coef[:2]).all()
    assert np.isnan(fit.se[:2]).all()
    assert not fit.converged[:2].any()
    assert np.isfinite(fit.coef[2])


def test_bad_input_names_the_argument() -> None:
    time, event, arm = _trials(1, 2, 10)
    with pytest.raises(InputError, match="arm"):
        batch.cox_ph(time, event, arm * 2)
    with pytest.raises(InputError, match="2-D"):
        batch.cox_ph(time[0], event[0], arm[0])


@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_heavily_tied_deaths_equal_the_loop(ties: str) -> None:
    """Times 1-3 only: most deaths share their time with others (Efron's k/d terms)."""
    rng = np.random.default_rng(5)
    time = rng.integers(1, 4, (30, 40)).astype(float)
    event = (rng.random((30, 40)) < 0.7).astype(float)
    arm = (rng.random((30, 40)) < 0.5).astype(float)
    time[:, :2], event[:, :2], arm[:, 0], arm[:, 1] = 0.5, 1.0, 0.0, 1.0
    fit = batch.cox_ph(time, event, arm, ties=ties)
    expected = _loop(time, event, arm, ties)
    np.testing.assert_allclose(fit.coef, expected[:, 0], rtol=0, atol=1e-10)
    np.testing.assert_allclose(fit.se, expected[:, 1], rtol=0, atol=1e-10)


def test_chunks_and_workers_do_not_change_results(monkeypatch: pytest.MonkeyPatch) -> None:
    time, event, arm = _trials(3, 50, 30)
    whole = batch.cox_ph(time, event, arm)
    monkeypatch.setattr(_rows, "CHUNK_CELLS", 100)
    for workers in (1, 2, 3):
        chunked = batch.cox_ph(time, event, arm, workers=workers)
        np.testing.assert_array_equal(chunked.coef, whole.coef)
        np.testing.assert_array_equal(chunked.se, whole.se)


def test_a_trial_answers_the_same_in_any_company() -> None:
    """Each trial's row of terms has the batch's width, so its arithmetic does not depend
    on the other trials of its chunk."""
    time, event, arm = _trials(4, 6, 30)
    alone = batch.cox_ph(np.vstack([time[:1], time]), np.vstack([event[:1], event]),
                         np.vstack([arm[:1], arm]))
    np.testing.assert_array_equal(alone.coef[0], alone.coef[1])


@pytest.mark.parametrize("workers", [0, 1.5, True])
def test_workers_must_be_a_positive_whole_number(workers: object) -> None:
    time, event, arm = _trials(1, 2, 10)
    with pytest.raises(InputError, match="workers"):
        batch.cox_ph(time, event, arm, workers=workers)  # type: ignore[arg-type]
