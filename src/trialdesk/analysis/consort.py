"""CONSORT flow counts: assessed, excluded (with reasons), randomised, per arm onwards.

Counts at the data cut-off (``docs/analysis.md#consort``):

* assessed: patients screened by the cut-off; excluded: assessed but not randomised
  (screen failures by reason, each "; "-joined reason counted once; eligible patients not
  (yet) randomised as "eligible, not randomised");
* per arm (as allocated): allocated; received the allocated intervention (a dosing arm: at
  least one dose; an arm without study drug: no study drug); did not receive it; lost to
  follow-up and withdrawn (a ``lost_to_follow_up`` / ``withdrawal`` event); discontinued
  the intervention (a ``discontinuation`` dosing record); analysed (the ITT population:
  everyone allocated).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from trialdesk.analysis._serialise import JsonResult
from trialdesk.analysis.datasets import AnalysisDatasets
from trialdesk.table import Table

__all__ = ["ConsortArmCounts", "ConsortCounts", "consort_counts"]

logger = logging.getLogger(__name__)

NOT_RANDOMISED = "eligible, not randomised"


@dataclass(frozen=True, slots=True)
class ConsortArmCounts:
    """One arm's boxes of the CONSORT flow (field names as ``report.consort_diagram``)."""

    label: str
    allocated: int
    received_allocated: int
    did_not_receive: int
    lost_to_follow_up: int
    withdrawn: int
    discontinued: int
    analysed: int


@dataclass(frozen=True, slots=True)
class ConsortCounts(JsonResult):
    """The CONSORT 2010 flow at a cut-off; ``exclusion_reasons`` maps reason to patients."""

    assessed: int
    excluded: int
    exclusion_reasons: Mapping[str, int]
    randomised: int
    arms: tuple[ConsortArmCounts, ...]

    def summary(self) -> Table:
        """One row per arm: the per-arm boxes."""
        names = ("arm", "allocated", "received allocated", "did not receive",
                 "lost to follow-up", "withdrawn", "discontinued", "analysed")
        rows = [(a.label, a.allocated, a.received_allocated, a.did_not_receive,
                 a.lost_to_follow_up, a.withdrawn, a.discontinued, a.analysed) for a in self.arms]
        return Table.from_rows(names, rows, title=(
            f"CONSORT: assessed {self.assessed}, excluded {self.excluded}, "
            f"randomised {self.randomised}"))


def consort_counts(datasets: AnalysisDatasets) -> ConsortCounts:
    """Count the CONSORT flow of ``datasets`` (rules in the module docstring)."""
    screening = datasets.screening
    randomised_ids = set(datasets.subjects["patient_id"])
    excluded = screening[~screening["patient_id"].isin(randomised_ids)]
    reasons: Counter[str] = Counter()
    for eligible, text in zip(excluded["eligible"].eq(True),
                              excluded["screen_failure_reasons"].fillna(""), strict=True):
        if eligible:
            reasons[NOT_RANDOMISED] += 1
        else:
            reasons.update({part.strip() for part in str(text).split(";") if part.strip()}
                           or {"not stated"})
    subjects = datasets.subjects
    arms = []
    for arm in datasets.arms:
        mine = subjects[subjects["arm"] == arm]
        dosing = arm in datasets.dosing_arms
        received = int((mine["treated"].to_numpy(dtype=bool) == dosing).sum())
        arms.append(ConsortArmCounts(
            label=arm, allocated=len(mine), received_allocated=received,
            did_not_receive=len(mine) - received,
            lost_to_follow_up=int(mine["lost_to_follow_up"].sum()),
            withdrawn=int(mine["withdrawn"].sum()), discontinued=int(mine["discontinued"].sum()),
            analysed=int(mine["itt"].sum())))
    logger.info("CONSORT: %d assessed, %d randomised", len(screening), len(subjects))
    return ConsortCounts(assessed=len(screening), excluded=len(excluded),
                         exclusion_reasons=MappingProxyType(dict(sorted(reasons.items()))),
                         randomised=len(subjects), arms=tuple(arms))
