"""``assign_next``: pure and reproducible; the same lists as ``permuted_blocks``; imported lists."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trialdesk.errors import InputError, RandomizationError
from trialdesk.protocol import Protocol
from trialdesk.randomization import PriorAllocation, allocation_list, assign_next, permuted_blocks
from trialdesk.randomization.minimisation import arm_scores
from trialdesk.trial.strata import Stratum, all_strata


def _randomise(protocol: Protocol, seed: int, strata: list[Stratum]) -> list[PriorAllocation]:
    history: list[PriorAllocation] = []
    for stratum in strata:
        arm = assign_next(protocol, seed=seed, stratum=stratum, history=history)
        history.append(PriorAllocation(stratum.label, stratum.levels, arm))
    return history


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 2**32 - 1), st.lists(st.integers(0, 7), min_size=1, max_size=60))
def test_one_at_a_time_equals_the_whole_sequence(resort, seed, codes):
    strata = [all_strata(resort)[c] for c in codes]
    history = _randomise(resort, seed, strata)
    expected = permuted_blocks([s.label for s in strata], block_sizes=(2, 4, 6), ratio=(1, 1), seed=seed)
    assert [h.arm for h in history] == expected.tolist()


def test_the_next_arm_is_the_entry_numbered_by_the_stratum_count(resort) -> None:
    first, second = all_strata(resort)[:2]
    others = [PriorAllocation(second.label, second.levels, "sorafenib")] * 5
    mine = [PriorAllocation(first.label, first.levels, "observation")] * 3
    entries = allocation_list(11, first.label, 4, block_sizes=(2, 4, 6), ratio=(1, 1),
                              arms=resort.arm_codes)
    for history in (others + mine, mine + others, mine):
        assert assign_next(resort, seed=11, stratum=first, history=history) == entries.arm_codes[3]


def test_minimisation_is_pure_and_follows_the_scores(three_arm) -> None:
    strata = [all_strata(three_arm)[i % 4] for i in (0, 1, 3, 3, 2, 0, 1, 1, 2, 3, 0, 0)]
    first = _randomise(three_arm, 42, strata)
    assert first == _randomise(three_arm, 42, strata)
    assert first != _randomise(three_arm, 43, strata)
    strict = three_arm.model_copy(update={"randomisation": three_arm.randomisation.model_copy(
        update={"p_best": 1.0})})
    history = _randomise(strict, 42, strata)
    for n, prior in enumerate(history):
        counts = np.zeros((2, 3))
        for earlier in history[:n]:
            for f, factor in enumerate(("ecog", "stage")):
                if earlier.levels[factor] == prior.levels[factor]:
                    counts[f, strict.arm_codes.index(earlier.arm)] += 1
        scores = arm_scores(counts, (2, 1, 1), criterion="marginal_balance")
        assert scores[strict.arm_codes.index(prior.arm)] == scores.min()


def test_simple_randomisation_follows_the_ratio(three_arm) -> None:
    simple = three_arm.model_copy(update={"randomisation": three_arm.randomisation.model_copy(
        update={"scheme": "simple"})})
    stratum = all_strata(simple)[0]
    prior = PriorAllocation(stratum.label, stratum.levels, "control")
    arms = [assign_next(simple, seed=9, stratum=stratum, history=[prior] * n) for n in range(4000)]
    shares = np.array([arms.count(code) for code in simple.arm_codes]) / 4000
    assert np.abs(shares - [0.5, 0.25, 0.25]).max() < 4 * np.sqrt(0.25 / 4000)
    assert arms[:50] == [assign_next(simple, seed=9, stratum=stratum, history=[prior] * n) for n in range(50)]


def test_imported_lists_replace_the_generated_ones(resort) -> None:
    stratum = all_strata(resort)[0]
    imported = allocation_list(99, "elsewhere", 2, block_sizes=(2,), ratio=(1, 1), arms=resort.arm_codes)
    lists = {stratum.label: imported}
    history: list[PriorAllocation] = []
    for _ in range(2):
        arm = assign_next(resort, seed=1, stratum=stratum, history=history, allocation_lists=lists)
        history.append(PriorAllocation(stratum.label, stratum.levels, arm))
    assert [h.arm for h in history] == list(imported.arm_codes)
    with pytest.raises(RandomizationError, match="exhausted after 2"):
        assign_next(resort, seed=1, stratum=stratum, history=history, allocation_lists=lists)
    with pytest.raises(RandomizationError, match="no imported allocation list"):
        assign_next(resort, seed=1, stratum=all_strata(resort)[1], history=[], allocation_lists=lists)


def test_history_with_an_unknown_arm_is_refused(three_arm) -> None:
    stratum = all_strata(three_arm)[0]
    with pytest.raises(InputError, match="not an arm") as caught:
        assign_next(three_arm, seed=1, stratum=stratum,
                    history=[PriorAllocation(stratum.label, stratum.levels, "placebo")])
    assert caught.value.row == 0
