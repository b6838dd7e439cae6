"""Permuted blocks: exact blocks, bounded drift, uniform orders, reproducible lists."""

from __future__ import annotations

import itertools
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trialdesk.errors import InputError
from trialdesk.protocol import load_protocol
from trialdesk.randomization import allocation_list, permuted_blocks, permuted_blocks_batch
from trialdesk.trial.strata import all_strata

RESORT_STRATA = tuple(s.label for s in all_strata(load_protocol("resort")))

RATIOS = [(1, 1), (2, 1), (2, 1, 1), (1, 2, 3)]
seeds = st.integers(0, 2**32 - 1)


@settings(max_examples=40, deadline=None)
@given(seeds, st.lists(st.sampled_from(RESORT_STRATA), min_size=1, max_size=400))
def test_permuted_blocks_never_drift_more_than_half_a_block(seed, strata):
    """The example of STYLE.md, as written there."""
    arms = permuted_blocks(strata, block_sizes=(4,), ratio=(1, 1), seed=seed)
    for stratum in set(strata):
        steps = [1 if a == "sorafenib" else -1 for s, a in zip(strata, arms, strict=True) if s == stratum]
        assert np.abs(np.cumsum(steps)).max() <= 2


@st.composite
def designs(draw):
    ratio = draw(st.sampled_from(RATIOS))
    multiples = draw(st.lists(st.integers(1, 3), min_size=1, max_size=3, unique=True))
    return ratio, tuple(m * sum(ratio) for m in multiples)


@settings(max_examples=60, deadline=None)
@given(seeds, designs(), st.lists(st.integers(0, 3), min_size=1, max_size=300))
def test_drift_within_a_stratum_never_exceeds_half_the_largest_block_scaled_to_the_ratio(seed, design, codes):
    """|n_a(t) - t r_a / R| <= m_max r_a (R - r_a) / R; for 1:1 that is |n_A - n_B| <= b_max / 2."""
    ratio, block_sizes = design
    arms = [f"arm{a}" for a in range(len(ratio))]
    strata = [f"s{c}" for c in codes]
    allocated = permuted_blocks(strata, block_sizes=block_sizes, ratio=ratio, seed=seed, arms=arms)
    total, largest = sum(ratio), max(block_sizes) // sum(ratio)
    for stratum in set(strata):
        mine = allocated[[s == stratum for s in strata]]
        t = np.arange(1, mine.size + 1)
        for arm, r in zip(arms, ratio, strict=True):
            drift = np.abs(np.cumsum(mine == arm) - t * r / total)
            assert drift.max() <= largest * r * (total - r) / total + 1e-9


@settings(max_examples=60, deadline=None)
@given(seeds, designs(), st.text(min_size=1, max_size=30), st.integers(1, 200))
def test_every_completed_block_has_the_exact_ratio(seed, design, stratum, n):
    ratio, block_sizes = design
    entries = allocation_list(seed, stratum, n, block_sizes=block_sizes, ratio=ratio,
                              arms=[f"a{k}" for k in range(len(ratio))])
    assert len(entries) >= n
    for block in np.unique(entries.block):
        in_block = entries.block == block
        size = entries.block_size[in_block]
        assert (size == size[0]).all()
        assert size[0] in block_sizes
        assert in_block.sum() == size[0]
        counts = np.bincount(entries.arm[in_block], minlength=len(ratio))
        assert counts.tolist() == [r * size[0] // sum(ratio) for r in ratio]
    assert entries.block.tolist() == sorted(entries.block.tolist())


@settings(max_examples=30, deadline=None)
@given(seeds, st.text(min_size=1, max_size=20), st.integers(1, 60), st.integers(0, 200))
def test_a_longer_list_starts_with_the_shorter_one(seed, stratum, n, extra):
    short = allocation_list(seed, stratum, n, block_sizes=(2, 4, 6), ratio=(1, 1), arms=("a", "b"))
    long = allocation_list(seed, stratum, n + extra, block_sizes=(2, 4, 6), ratio=(1, 1), arms=("a", "b"))
    assert (long.arm[:len(short)] == short.arm).all()
    assert (long.block[:len(short)] == short.block).all()


@settings(max_examples=30, deadline=None)
@given(seeds, st.lists(st.sampled_from(RESORT_STRATA), min_size=1, max_size=100))
def test_the_same_seed_gives_the_same_sequence(seed, strata):
    first = permuted_blocks(strata, block_sizes=(2, 4, 6), ratio=(1, 1), seed=seed)
    again = permuted_blocks(strata, block_sizes=(2, 4, 6), ratio=(1, 1), seed=seed)
    assert first.tolist() == again.tolist()


def test_the_list_is_pinned_bit_for_bit() -> None:
    """The stream definition (SeedSequence([seed, "permuted_blocks", label, chunk]), PCG64) is part
    of the interface: a trial's list must never change with a new trialdesk or NumPy version."""
    entries = allocation_list(20121101, RESORT_STRATA[0], 12, block_sizes=(2, 4, 6), ratio=(1, 1),
                              arms=("sorafenib", "observation"))
    assert "".join(code[0] for code in entries.arm_codes) == "oosssoossoso"
    assert entries.block_size.tolist() == [4] * 4 + [2] * 8
    three = allocation_list(20121101, "x", 8, block_sizes=(4, 8), ratio=(2, 1, 1), arms=("a", "b", "c"))
    assert "".join(three.arm_codes) == "bbaacaac"


def test_different_strata_and_seeds_get_different_lists() -> None:
    lists = {(seed, label): tuple(allocation_list(seed, label, 40, block_sizes=(2, 4, 6), ratio=(1, 1),
                                                  arms=("a", "b")).arm[:40])
             for seed in (1, 2) for label in RESORT_STRATA[:3]}
    assert len(set(lists.values())) == 6


def test_every_order_of_a_block_and_every_block_size_is_equally_likely() -> None:
    """Block of 4 (1:1): 6 orders; 3000 independent lists, each order 1/6 within 4 standard errors."""
    orders = Counter(tuple(allocation_list(7, f"s{i}", 4, block_sizes=(4,), ratio=(1, 1),
                                           arms=("a", "b")).arm) for i in range(3000))
    assert set(orders) == set(itertools.permutations((0, 0, 1, 1)))
    se = np.sqrt((1 / 6) * (5 / 6) / 3000)
    assert max(abs(c / 3000 - 1 / 6) for c in orders.values()) < 4 * se
    long = allocation_list(7, "sizes", 6000, block_sizes=(2, 4, 6), ratio=(1, 1), arms=("a", "b"))
    first_of_block = np.r_[True, np.diff(long.block) > 0]
    sizes = np.bincount(long.block_size[first_of_block], minlength=7)[[2, 4, 6]]
    n_blocks = sizes.sum()
    assert np.abs(sizes / n_blocks - 1 / 3).max() < 4 * np.sqrt((1 / 3) * (2 / 3) / n_blocks)


@settings(max_examples=25, deadline=None)
@given(seeds, designs())
def test_the_batch_form_keeps_the_same_guarantees(seed, design):
    ratio, block_sizes = design
    rng = np.random.default_rng(seed)
    stratum = rng.integers(0, 3, size=(20, 50))
    arm = permuted_blocks_batch(rng, stratum, n_strata=3, block_sizes=block_sizes, ratio=ratio)
    total, largest = sum(ratio), max(block_sizes) // sum(ratio)
    for trial, s in itertools.product(range(20), range(3)):
        mine = arm[trial][stratum[trial] == s]
        t = np.arange(1, mine.size + 1)
        for a, r in enumerate(ratio):
            drift = np.abs(np.cumsum(mine == a) - t * r / total)
            assert drift.max() <= largest * r * (total - r) / total + 1e-9


def test_batch_orders_of_a_block_are_equally_likely() -> None:
    """Block of 4 (1:1) in 20,000 trials: each of the 6 orders 1/6 within 4 standard errors."""
    arm = permuted_blocks_batch(np.random.default_rng(11), np.zeros((20_000, 4), dtype=np.int64), n_strata=1,
                                block_sizes=(4,), ratio=(1, 1))
    counts = np.bincount(arm @ np.array([8, 4, 2, 1]), minlength=16)
    orders = counts[counts > 0]
    assert orders.size == 6
    assert np.abs(orders / 20_000 - 1 / 6).max() < 4 * np.sqrt((1 / 6) * (5 / 6) / 20_000)


def test_batch_with_one_block_size_completes_exact_blocks() -> None:
    rng = np.random.default_rng(3)
    arm = permuted_blocks_batch(rng, np.zeros((100, 12), dtype=np.int64), n_strata=1, block_sizes=(4,),
                                ratio=(1, 1))
    assert (arm.reshape(100, 3, 4).sum(axis=2) == 2).all()


@pytest.mark.parametrize(
    ("block_sizes", "ratio", "field"),
    [((3,), (1, 1), "block_sizes"), ((), (1, 1), "block_sizes"), ((4,), (2, 1), "block_sizes"),
     ((2,), (1,), "ratio"), ((2,), (1, 0), "ratio")],
)
def test_block_sizes_must_fit_the_ratio(block_sizes, ratio, field) -> None:
    with pytest.raises(InputError) as caught:
        allocation_list(1, "s", 4, block_sizes=block_sizes, ratio=ratio, arms=("a", "b")[:len(ratio)])
    assert caught.value.field == field


def test_seed_must_be_a_non_negative_integer() -> None:
    for seed in (-1, 1.5, True):
        with pytest.raises(InputError, match="seed"):
            allocation_list(seed, "s", 4, block_sizes=(2,), ratio=(1, 1), arms=("a", "b"))
