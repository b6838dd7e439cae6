"""The Ray backend on a local Ray instance gives the local backend's numbers bit for bit."""

from __future__ import annotations

import pytest

from trialdesk.simulate.runner import BLOCK_TRIALS, simulate

ray = pytest.importorskip("ray")


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def test_ray_equals_local(local_ray, scenario, assert_identical) -> None:
    done: list[int] = []
    on_ray = simulate(scenario, 2 * BLOCK_TRIALS, seed=3, chunk_size=BLOCK_TRIALS, backend="ray",
                      progress=done.append)
    local = simulate(scenario, 2 * BLOCK_TRIALS, seed=3, chunk_size=2 * BLOCK_TRIALS)
    assert_identical(on_ray, local)
    assert done[-1] == 2 * BLOCK_TRIALS
