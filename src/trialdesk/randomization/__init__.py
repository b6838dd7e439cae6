"""Allocation schemes: stratified permuted blocks, Pocock-Simon minimisation, simple
randomisation; seeded and reproducible bit for bit; allocation lists, balance and assessment.

>>> from trialdesk.protocol import load_protocol
>>> from trialdesk.trial.strata import all_strata
>>> resort = load_protocol("resort")
>>> assign_next(resort, seed=7, stratum=all_strata(resort)[0], history=[]) in resort.arm_codes
True
"""

from __future__ import annotations

from trialdesk.randomization.assign import PriorAllocation, assign_next
from trialdesk.randomization.blocks import (
    AllocationList,
    allocation_list,
    permuted_blocks,
    permuted_blocks_batch,
)
from trialdesk.randomization.imbalance import imbalance

__all__ = [
    "AllocationList",
    "PriorAllocation",
    "allocation_list",
    "assign_next",
    "imbalance",
    "permuted_blocks",
    "permuted_blocks_batch",
]
