"""``assign_next``: the arm of the next patient, a pure function of seed, stratum and history.

The store calls it under a lock with the trial's randomisation history; the same (seed,
stratum, history) always gives the same arm, on any machine.

* ``permuted_blocks``: the stratum's list is a function of (seed, stratum label) only
  (``allocation_list``); the patient gets entry number k, k = the number of earlier patients
  in the same stratum. An imported list (``allocation_lists``) replaces the generated one.
* ``minimisation``: level counts come from the history; the random element is drawn from the
  stream keyed by (seed, "minimisation", len(history)).
* ``simple``: one uniform from the stream keyed by (seed, "simple", len(history)).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from trialdesk.errors import InputError, RandomizationError
from trialdesk.protocol import Protocol
from trialdesk.randomization._streams import keyed_generator
from trialdesk.randomization.blocks import AllocationList, allocation_list
from trialdesk.randomization.minimisation import arm_scores, choose_arm
from trialdesk.randomization.simple import simple_arm
from trialdesk.trial.strata import Stratum

__all__ = ["PriorAllocation", "assign_next", "factor_weights", "level_counts"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PriorAllocation:
    """One earlier randomisation: its stratum label, factor levels and arm code."""

    stratum_label: str
    levels: Mapping[str, str]
    arm: str


def level_counts(protocol: Protocol, levels: Mapping[str, str],
                 history: Sequence[PriorAllocation]) -> np.ndarray:
    """(n_factors, n_arms) counts of earlier patients sharing each of ``levels``, by arm."""
    arm_index = {code: a for a, code in enumerate(protocol.arm_codes)}
    counts = np.zeros((len(protocol.stratification_factors), len(arm_index)), dtype=np.int64)
    for row, prior in enumerate(history):
        if prior.arm not in arm_index:
            raise InputError(f"is not an arm of {protocol.id}", field="history.arm", row=row,
                             value=prior.arm)
        for f, factor in enumerate(protocol.stratification_factors):
            if prior.levels.get(factor.name) == levels[factor.name]:
                counts[f, arm_index[prior.arm]] += 1
    return counts


def factor_weights(protocol: Protocol) -> np.ndarray:
    """Minimisation weight per stratification factor (protocol order; default 1)."""
    weights = protocol.randomisation.weights or {}
    return np.array([weights.get(f.name, 1.0) for f in protocol.stratification_factors])


def _next_in_list(entries: AllocationList, position: int) -> str:
    if position >= len(entries):
        raise RandomizationError(f"the allocation list of stratum {entries.stratum} is exhausted "
                                 f"after {len(entries)} patients")
    return entries.arms[entries.arm[position]]


def assign_next(protocol: Protocol, *, seed: int, stratum: Stratum,
                history: Sequence[PriorAllocation],
                allocation_lists: Mapping[str, AllocationList] | None = None) -> str:
    """The arm code for the next patient of ``stratum`` under the protocol's scheme.

    Parameters
    ----------
    protocol
        Gives the scheme, arms, ratio, block sizes, minimisation settings.
    seed
        The trial's randomisation seed (non-negative integer).
    stratum
        The new patient's stratum (``derive_stratum``).
    history
        Every earlier randomisation of the trial, in order.
    allocation_lists
        Imported lists by stratum label (permuted blocks only); ``RandomizationError`` when
        the stratum's list is missing or used up.
    """
    plan = protocol.randomisation
    if plan.scheme == "permuted_blocks":
        position = sum(1 for prior in history if prior.stratum_label == stratum.label)
        if allocation_lists is not None:
            if stratum.label not in allocation_lists:
                raise RandomizationError(f"no imported allocation list for stratum {stratum.label}")
            return _next_in_list(allocation_lists[stratum.label], position)
        entries = allocation_list(seed, stratum.label, position + 1, block_sizes=plan.block_sizes,
                                  ratio=protocol.allocation_ratio, arms=protocol.arm_codes)
        return _next_in_list(entries, position)
    if plan.scheme == "minimisation":
        scores = arm_scores(level_counts(protocol, stratum.levels, history), protocol.allocation_ratio,
                            criterion=plan.criterion, weights=factor_weights(protocol))
        uniforms = keyed_generator(seed, "minimisation", len(history)).random(3)
        return protocol.arm_codes[int(choose_arm(scores, uniforms, p_best=plan.p_best))]
    uniform = keyed_generator(seed, "simple", len(history)).random()
    return protocol.arm_codes[int(simple_arm(uniform, protocol.allocation_ratio))]
