"""batch.logrank_and_cox: the same results as logrank_test and cox_ph, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_array_equal

from trialdesk.survival import batch
from trialdesk.survival.batch import _rows


def _trials(seed: int, n_trials: int, n: int) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    time = np.ceil(rng.exponential(10.0, (n_trials, n)))
    event = rng.random((n_trials, n)) < 0.6
    arm = rng.random((n_trials, n)) < 0.5
    mask = rng.random((n_trials, n)) < 0.9
    return time, event, arm, mask


def _assert_same(first: tuple, second: tuple) -> None:
    (logrank_a, cox_a), (logrank_b, cox_b) = first, second
    for name in ("chisq", "df", "p_value", "observed", "expected"):
        assert_array_equal(getattr(logrank_a, name), getattr(logrank_b, name))
    for name in ("coef", "se", "converged"):
        assert_array_equal(getattr(cox_a, name), getattr(cox_b, name))


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 9), st.integers(2, 40),
       st.sampled_from([0.0, 1.0]), st.sampled_from(["efron", "breslow"]))
def test_equals_the_two_functions(seed: int, n_trials: int, n: int, rho: float, ties: str) -> None:
    time, event, arm, mask = _trials(seed, n_trials, n)
    together = batch.logrank_and_cox(time, event, arm, mask, rho=rho, ties=ties)
    apart = (batch.logrank_test(time, event, arm, mask, rho=rho),
             batch.cox_ph(time, event, arm, mask, ties=ties))
    _assert_same(together, apart)


def test_leading_axes_are_trials() -> None:
    time, event, arm, mask = _trials(2, 12, 30)
    logrank, cox = batch.logrank_and_cox(*(a.reshape(3, 4, 30) for a in (time, event, arm, mask)))
    assert logrank.chisq.shape == cox.coef.shape == (3, 4)
    assert logrank.observed.shape == (3, 4, 2)


@pytest.mark.parametrize("workers", [1, 2, 4])
def test_chunks_and_workers_do_not_change_results(monkeypatch: pytest.MonkeyPatch, workers: int) -> None:
    time, event, arm, mask = _trials(6, 60, 25)
    whole = batch.logrank_and_cox(time, event, arm, mask)
    monkeypatch.setattr(_rows, "CHUNK_CELLS", 70)
    _assert_same(batch.logrank_and_cox(time, event, arm, mask, workers=workers), whole)
