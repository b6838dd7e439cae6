"""Stratified permuted blocks with randomly chosen block sizes, for any allocation ratio.

Within each stratum the allocation list is a sequence of blocks. Each block's size is drawn
uniformly from ``block_sizes`` (multiples of the ratio's sum ``R``); a block of size ``m R``
holds arm ``a`` exactly ``m r_a`` times, in a uniformly random order (a permutation drawn by
sorting independent uniform keys). Consequences, checked by property tests: every completed
block is in the exact ratio, and within a stratum the count of arm ``a`` after ``t`` patients
never differs from ``t r_a / R`` by more than ``m_max r_a (R - r_a) / R`` (for 1:1: the arms
never differ by more than half the largest block).

Reproducibility: a stratum's list is a function of (seed, stratum label) only. It is drawn in
chunks of ``CHUNK_BLOCKS`` blocks, chunk ``c`` from the keyed stream (seed,
"permuted_blocks", label, c), so asking for a longer list never changes its beginning.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from trialdesk.errors import InputError
from trialdesk.randomization._streams import keyed_generator

__all__ = ["CHUNK_BLOCKS", "RESORT_ARMS", "AllocationList", "allocation_list", "check_blocks",
           "permuted_blocks", "permuted_blocks_batch"]

logger = logging.getLogger(__name__)

#: Blocks drawn per keyed chunk of a stratum's list.
CHUNK_BLOCKS = 16

#: Arm codes of the built-in RESORT protocol, the default labels of ``permuted_blocks``.
RESORT_ARMS: tuple[str, ...] = ("sorafenib", "observation")


def check_blocks(block_sizes: Sequence[int], ratio: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """Block sizes and ratio as int arrays; ``InputError`` unless sizes are multiples of sum(ratio)."""
    ratio_array = np.asarray(ratio, dtype=np.int64)
    sizes = np.asarray(block_sizes, dtype=np.int64)
    if ratio_array.ndim != 1 or ratio_array.size < 2 or (ratio_array <= 0).any():
        raise InputError("must hold two or more positive integers", field="ratio", value=tuple(ratio))
    total = int(ratio_array.sum())
    if sizes.ndim != 1 or sizes.size == 0 or (sizes <= 0).any() or (sizes % total).any():
        raise InputError(f"must be positive multiples of the ratio's sum ({total})",
                         field="block_sizes", value=tuple(block_sizes))
    return sizes, ratio_array


def _blocks_from_draws(size_index: np.ndarray, keys: np.ndarray, sizes: np.ndarray,
                       ratio: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Arms and block numbers of lists built from random draws.

    size_index: (..., n_blocks) int, index into ``sizes`` per block; keys: (..., n_blocks,
    max(sizes)) float uniform keys, the first ``size`` of a block's row ordering it.
    Returns arm (..., n_blocks * max(sizes)) int64 arm index and block (same shape) 0-based
    block number, both -1 after the list's end (each row's valid entries come first).
    """
    n_arms, width = ratio.size, int(sizes.max())
    templates = np.full((sizes.size, width), n_arms, dtype=np.int64)   # n_arms marks padding
    for j, size in enumerate(sizes):
        templates[j, :size] = np.repeat(np.arange(n_arms), ratio * (size // ratio.sum()))
    blocks = templates[size_index]
    order = np.argsort(np.where(blocks == n_arms, np.inf, keys), axis=-1, kind="stable")
    shuffled = np.take_along_axis(blocks, order, axis=-1)
    numbers = np.broadcast_to(np.arange(size_index.shape[-1])[:, None], shuffled.shape)
    flat_arm = shuffled.reshape(*shuffled.shape[:-2], -1)
    flat_block = numbers.reshape(flat_arm.shape)
    compact = np.argsort(flat_arm == n_arms, axis=-1, kind="stable")
    arm = np.take_along_axis(flat_arm, compact, axis=-1)
    block = np.where(arm == n_arms, -1, np.take_along_axis(flat_block, compact, axis=-1))
    return np.where(arm == n_arms, -1, arm), block


@dataclass(frozen=True, slots=True)
class AllocationList:
    """A stratum's allocation list: entry ``i`` is the arm of the stratum's ``i+1``-th patient.

    ``arm`` holds indices into ``arms`` (the protocol's arm order); ``block`` is the 1-based
    block number and ``block_size`` that block's size, per entry. Arrays are read-only.
    """

    stratum: str
    arms: tuple[str, ...]
    arm: np.ndarray
    block: np.ndarray
    block_size: np.ndarray

    def __post_init__(self) -> None:
        for name in ("arm", "block", "block_size"):
            getattr(self, name).setflags(write=False)

    def __len__(self) -> int:
        return int(self.arm.size)

    @property
    def arm_codes(self) -> tuple[str, ...]:
        """The list as arm codes."""
        return tuple(self.arms[i] for i in self.arm)


def allocation_list(seed: int, stratum: str, n: int, *, block_sizes: Sequence[int],
                    ratio: Sequence[int], arms: Sequence[str]) -> AllocationList:
    """The first whole blocks of a stratum's list covering at least ``n`` entries.

    Parameters
    ----------
    seed
        The trial's randomisation seed.
    stratum
        The stratum label (``trialdesk.trial.strata``); different labels, independent lists.
    n
        Entries needed; the list ends at the end of the block holding entry ``n``.
    block_sizes, ratio, arms
        Block sizes (multiples of ``sum(ratio)``), allocation ratio and arm codes, aligned.
    """
    sizes, ratio_array = check_blocks(block_sizes, ratio)
    if len(arms) != ratio_array.size:
        raise InputError(f"has {len(arms)} arms for a ratio of {ratio_array.size}", field="arms")
    arm_parts, block_parts = [], []
    covered, chunk = 0, 0
    while covered < n or chunk == 0:
        rng = keyed_generator(seed, "permuted_blocks", stratum, chunk)
        size_index = rng.integers(0, sizes.size, size=CHUNK_BLOCKS)
        keys = rng.random((CHUNK_BLOCKS, int(sizes.max())))
        arm, block = _blocks_from_draws(size_index, keys, sizes, ratio_array)
        valid = arm >= 0
        arm_parts.append(arm[valid])
        block_parts.append(block[valid] + chunk * CHUNK_BLOCKS)
        covered += int(valid.sum())
        chunk += 1
    arm, block = np.concatenate(arm_parts), np.concatenate(block_parts)
    keep = block <= block[max(n, 1) - 1]
    block_size = np.bincount(block[keep])[block[keep]]
    return AllocationList(stratum=stratum, arms=tuple(arms), arm=arm[keep], block=block[keep] + 1,
                          block_size=block_size)


def permuted_blocks(strata: Sequence[str], *, block_sizes: Sequence[int], ratio: Sequence[int],
                    seed: int, arms: Sequence[str] = RESORT_ARMS) -> np.ndarray:
    """Arm codes for patients arriving in order with these stratum labels.

    Patient ``i`` gets the next entry of its stratum's list (``allocation_list``), so this is
    what ``assign_next`` gives one patient at a time. ``arms`` defaults to RESORT's codes.

    >>> permuted_blocks(["a", "a", "b"], block_sizes=(2,), ratio=(1, 1), seed=1).shape
    (3,)
    """
    labels = [str(s) for s in strata]
    result = np.empty(len(labels), dtype=object)
    for stratum in dict.fromkeys(labels):
        rows = [i for i, s in enumerate(labels) if s == stratum]
        entries = allocation_list(seed, stratum, len(rows), block_sizes=block_sizes, ratio=ratio,
                                  arms=arms)
        result[rows] = [arms[a] for a in entries.arm[:len(rows)]]
    return result.astype(str)


def permuted_blocks_batch(rng: np.random.Generator, stratum: np.ndarray, *, n_strata: int,
                          block_sizes: Sequence[int], ratio: Sequence[int]) -> np.ndarray:
    """Arm indices for many trials at once (simulation): the same scheme, drawn from ``rng``.

    stratum: (n_trials, n_patients) int in [0, n_strata), patients in randomisation order
    (padding columns may hold any stratum: they come last, so they never change a real
    patient's arm). Returns (n_trials, n_patients) int arm index into ``ratio``.

    Each patient takes a slot of the stratum's current block by sequential sampling without
    replacement (arm ``a`` with probability remaining slots of ``a`` / remaining slots), which
    gives every order of the block the same probability, as the permutation of
    ``allocation_list`` does; a new block's size is drawn uniformly when the last one is full.
    The draws come from ``rng`` (one stream for the batch), not from the keyed streams of
    ``allocation_list``: same scheme and distribution, other numbers.
    """
    sizes, ratio_array = check_blocks(block_sizes, ratio)
    n_trials, n_patients = stratum.shape
    multiples = sizes // ratio_array.sum()
    remaining = np.zeros((n_trials, n_strata, ratio_array.size), dtype=np.int64)
    trials = np.arange(n_trials)
    arm = np.empty((n_trials, n_patients), dtype=np.int64)
    for j in range(n_patients):
        s = stratum[:, j]
        slots = remaining[trials, s]                       # (n_trials, n_arms), a copy
        full = slots.sum(axis=1) == 0
        if full.any():
            drawn = multiples[rng.integers(0, multiples.size, size=int(full.sum()))]
            slots[full] = drawn[:, None] * ratio_array[None, :]
        cumulative = np.cumsum(slots, axis=1)
        pick = rng.random(n_trials) * cumulative[:, -1]
        chosen = (pick[:, None] >= cumulative).sum(axis=1)
        slots[trials, chosen] -= 1
        remaining[trials, s] = slots
        arm[:, j] = chosen
    return arm
