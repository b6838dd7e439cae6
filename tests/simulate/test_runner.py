"""The runner: same seed, same numbers bit for bit, whatever the chunk size."""

from __future__ import annotations

import pytest

from trialdesk.errors import InputError
from trialdesk.simulate.runner import BLOCK_TRIALS, simulate


def test_same_seed_bit_identical_whatever_the_chunk_size(scenario, assert_identical) -> None:
    progress: list[int] = []
    small = simulate(scenario, 3 * BLOCK_TRIALS - 250, seed=11, chunk_size=BLOCK_TRIALS,
                     progress=progress.append)
    large = simulate(scenario, 3 * BLOCK_TRIALS - 250, seed=11, chunk_size=3 * BLOCK_TRIALS)
    assert_identical(small, large)
    assert progress == [1000, 2000, 2750]
    assert small.n_trials == 2750


def test_another_seed_gives_other_numbers(scenario) -> None:
    a = simulate(scenario, BLOCK_TRIALS, seed=1)
    b = simulate(scenario, BLOCK_TRIALS, seed=2)
    assert a.expected("duration_months") != b.expected("duration_months")


def test_chunk_size_must_be_whole_blocks(scenario) -> None:
    with pytest.raises(InputError, match="chunk_size"):
        simulate(scenario, 10, seed=1, chunk_size=1500)
    with pytest.raises(InputError, match="trials"):
        simulate(scenario, 0, seed=1)


def test_unknown_backend_is_refused_not_run_locally(scenario) -> None:
    with pytest.raises(InputError, match="backend"):
        simulate(scenario, 10, seed=1, backend="dask")  # type: ignore[arg-type]
