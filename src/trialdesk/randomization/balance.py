"""The balance report: counts by arm and imbalance, overall, per stratum and per factor level.

Imbalance is the ``range`` measure of ``imbalance`` (``max n_a/r_a - min n_a/r_a``; for 1:1
the difference in patient numbers). Every stratum and level of the protocol is listed, those
without patients too.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from trialdesk.errors import InputError
from trialdesk.protocol import Protocol
from trialdesk.randomization.assign import PriorAllocation
from trialdesk.randomization.imbalance import imbalance
from trialdesk.table import Table
from trialdesk.trial.strata import all_strata

__all__ = ["BalanceReport", "balance_report"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class BalanceReport:
    """Counts by arm per group; ``groups[i]`` is ("overall" | "stratum" | factor name, level)."""

    arms: tuple[str, ...]
    ratio: tuple[int, ...]
    groups: tuple[tuple[str, str], ...]
    counts: np.ndarray            # (n_groups, n_arms)

    def __post_init__(self) -> None:
        self.counts.setflags(write=False)

    @property
    def imbalance(self) -> np.ndarray:
        """Range imbalance per group (ratio-scaled)."""
        return imbalance(self.counts, self.ratio)

    def worst(self, kind: str) -> float:
        """Largest imbalance among ``"overall"``, ``"stratum"`` or ``"level"`` (factor level) rows."""
        chosen = [i for i, (group, _) in enumerate(self.groups)
                  if group == kind or (kind == "level" and group not in ("overall", "stratum"))]
        return float(self.imbalance[chosen].max())

    def summary(self) -> Table:
        """One row per group: counts by arm, total, imbalance."""
        columns: dict[str, np.ndarray] = {
            "group": np.array([g for g, _ in self.groups], dtype=object),
            "level": np.array([level for _, level in self.groups], dtype=object)}
        for a, arm in enumerate(self.arms):
            columns[arm] = self.counts[:, a]
        columns["n"] = self.counts.sum(axis=1)
        columns["imbalance"] = self.imbalance
        return Table(columns, title="Balance by arm (imbalance: max - min of n / ratio)")


def balance_report(protocol: Protocol, allocations: Sequence[PriorAllocation]) -> BalanceReport:
    """Counts by arm overall, per stratum and per stratification factor level.

    Factor levels are read from each allocation's stratum label (its ``levels`` are not used).
    """
    arm_index = {code: a for a, code in enumerate(protocol.arm_codes)}
    strata = {s.label: s for s in all_strata(protocol)}
    groups: list[tuple[str, str]] = [("overall", "all")]
    groups += [("stratum", label) for label in strata]
    groups += [(f.name, level) for f in protocol.stratification_factors for level in f.levels]
    row_of = {group: i for i, group in enumerate(groups)}
    counts = np.zeros((len(groups), len(arm_index)), dtype=np.int64)
    for row, allocation in enumerate(allocations):
        if allocation.arm not in arm_index or allocation.stratum_label not in strata:
            raise InputError(f"is not an arm and stratum of {protocol.id}", field="allocation", row=row,
                             value=(allocation.stratum_label, allocation.arm))
        arm = arm_index[allocation.arm]
        counts[0, arm] += 1
        counts[row_of["stratum", allocation.stratum_label], arm] += 1
        for factor, level in strata[allocation.stratum_label].levels.items():
            counts[row_of[factor, level], arm] += 1
    return BalanceReport(arms=protocol.arm_codes, ratio=protocol.allocation_ratio, groups=tuple(groups),
                         counts=counts)
