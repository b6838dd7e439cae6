"""Median follow-up at the cut-off by the reverse Kaplan-Meier method.

The reverse KM treats censoring as the event and RFS events as censored, so patients who
relapsed or died count as followed up to that time and no longer; this is the convention
of trial reports (Schemper and Smith 1996). Matches R
``survfit(Surv(rfs_months, 1 - event) ~ 1)`` median with its ``log`` CI; when an event
and a censoring share a time, the flipped events (the original censorings) come first.
``docs/analysis.md#follow-up``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from trialdesk.analysis._serialise import JsonResult
from trialdesk.survival import median_follow_up
from trialdesk.table import Table

__all__ = ["FollowUpAnalysis", "MedianFollowUp", "follow_up"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class MedianFollowUp:
    """Reverse-KM median follow-up (months) with its 95% CI; nan where not reached."""

    group: str
    n: int
    median: float
    lower: float
    upper: float


@dataclass(frozen=True, slots=True)
class FollowUpAnalysis(JsonResult):
    """Median follow-up overall (first) and per arm."""

    groups: tuple[MedianFollowUp, ...]

    @property
    def overall(self) -> MedianFollowUp:
        """All patients together."""
        return self.groups[0]

    def summary(self) -> Table:
        """Group, N, median and CI in months."""
        return Table.from_rows(
            ("group", "N", "median (months)", "lower .95", "upper .95"),
            [(g.group, g.n, g.median, g.lower, g.upper) for g in self.groups],
            title="Median follow-up (reverse Kaplan-Meier)")


def _median(group: str, time: np.ndarray, event: np.ndarray) -> MedianFollowUp:
    median, lower, upper = median_follow_up(time, event)
    return MedianFollowUp(group, int(time.size), float(median), float(lower), float(upper))


def follow_up(rfs: pd.DataFrame, *, arms: Sequence[str]) -> FollowUpAnalysis:
    """Reverse-KM median follow-up of an RFS table (``rfs_months``, ``event``, ``arm``)."""
    time = rfs["rfs_months"].to_numpy(dtype=float)
    event = rfs["event"].to_numpy(dtype=float)
    arm = rfs["arm"].to_numpy(dtype=object)
    groups = [_median("all", time, event)]
    groups += [_median(a, time[arm == a], event[arm == a]) for a in arms]
    logger.debug("median follow-up %.2f months", groups[0].median)
    return FollowUpAnalysis(groups=tuple(groups))
