"""Run many simulated trials in memory-bounded blocks, locally or on Ray.

Seeds are streamed per *block* of ``BLOCK_TRIALS`` trials: block ``b`` draws from
``numpy.random.SeedSequence(seed).spawn(n_blocks)[b]`` and nothing else, and every trial's
analysis depends only on its own row. Blocks are generated, analysed and summarised one at a
time, so a block bounds memory; a *chunk* (``chunk_size`` trials, a multiple of the block) is
one task for a backend and one step of the progress bar. Block summaries are merged in block
order as chunks finish, so memory does not grow with the number of trials, and the same seed
gives bit-identical operating characteristics whatever the chunk size and wherever the
chunks run (docs/simulate.md#seeds-and-chunks).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterator, Sequence
from typing import Literal

import numpy as np

from trialdesk.errors import InputError
from trialdesk.simulate.characteristics import BlockSummary, OperatingCharacteristics, summarise_block
from trialdesk.simulate.generator import generate_trials
from trialdesk.simulate.outcomes import analyse_trials
from trialdesk.simulate.scenario import Scenario

__all__ = ["BLOCK_TRIALS", "Backend", "simulate", "simulate_chunk"]

logger = logging.getLogger(__name__)

#: Trials per seed stream: the unit of reproducibility.
BLOCK_TRIALS = 1000

Backend = Literal["local", "ray"]

#: A block to simulate: (number of trials, its seed stream).
BlockSpec = tuple[int, np.random.SeedSequence]


def simulate_chunk(scenario: Scenario, blocks: Sequence[BlockSpec]) -> list[BlockSummary]:
    """Generate, analyse and summarise each block of a chunk in turn; one summary per block."""
    return [summarise_block(analyse_trials(generate_trials(scenario, n, np.random.default_rng(stream)),
                                           scenario), scenario)
            for n, stream in blocks]


def _chunks(n_trials: int, seed: int, chunk_size: int) -> Iterator[list[BlockSpec]]:
    n_blocks = math.ceil(n_trials / BLOCK_TRIALS)
    streams = np.random.SeedSequence(seed).spawn(n_blocks)
    sizes = [min(BLOCK_TRIALS, n_trials - b * BLOCK_TRIALS) for b in range(n_blocks)]
    per_chunk = chunk_size // BLOCK_TRIALS
    for first in range(0, n_blocks, per_chunk):
        yield list(zip(sizes[first:first + per_chunk], streams[first:first + per_chunk], strict=True))


def _check(n_trials: int, chunk_size: int, backend: str) -> None:
    if backend not in ("local", "ray"):
        raise InputError("must be local or ray", field="backend", value=backend)
    if n_trials < 1:
        raise InputError("must be at least 1", field="trials", value=n_trials)
    if chunk_size < BLOCK_TRIALS or chunk_size % BLOCK_TRIALS:
        raise InputError(f"must be a positive multiple of {BLOCK_TRIALS} (the seed block)",
                         field="chunk_size", value=chunk_size)


def simulate(scenario: Scenario, n_trials: int, *, seed: int, chunk_size: int = 10 * BLOCK_TRIALS,
             backend: Backend = "local", address: str | None = None,
             progress: Callable[[int], None] | None = None) -> OperatingCharacteristics:
    """Simulate ``n_trials`` trials of ``scenario`` and return their operating characteristics.

    Parameters
    ----------
    scenario
        The trial to simulate (``trialdesk.simulate.resort_scenario`` builds RESORT's).
    n_trials
        Number of simulated trials.
    seed
        Root seed; with ``n_trials`` it fixes every number bit for bit.
    chunk_size
        Trials per task (a multiple of ``BLOCK_TRIALS``): one backend task and one progress
        step; results do not change with it.
    backend
        ``"local"`` (this process) or ``"ray"`` (a Ray cluster; ``address`` as for
        ``ray.init``, ``None`` = start or join a local one).
    progress
        Called with the number of trials finished after each chunk (the CLI's progress bar).
    """
    _check(n_trials, chunk_size, backend)
    chunks = list(_chunks(n_trials, seed, chunk_size))
    if backend == "ray":
        from trialdesk.simulate.ray_backend import iter_on_ray

        results = iter_on_ray(scenario, chunks, address=address)
    else:
        results = (simulate_chunk(scenario, chunk) for chunk in chunks)
    totals: BlockSummary | None = None
    done = 0
    for chunk, summaries in zip(chunks, results, strict=True):
        for summary in summaries:
            totals = summary if totals is None else totals.merge(summary)
        done += sum(n for n, _ in chunk)
        if progress is not None:
            progress(done)
    logger.info("simulated %d trials of %s (seed %d)", n_trials, scenario.name, seed)
    true_values = {} if scenario.true_hazard_ratio is None else {"hazard_ratio": scenario.true_hazard_ratio}
    for arm in scenario.arms:
        true_values[f"median_{arm.code}"] = arm.rfs.median()
        for landmark in scenario.landmarks:
            true_values[f"rfs_{landmark:g}m_{arm.code}"] = float(arm.rfs.survival(landmark))
    return OperatingCharacteristics(scenario=scenario.name, seed=seed, totals=totals,
                                    alpha=scenario.boundaries.alpha, true_values=true_values)
