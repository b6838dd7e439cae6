"""Median follow-up by the reverse Kaplan-Meier method (censoring treated as the event).

Matches R: ``survfit(Surv(time, 1 - event) ~ 1, conf.type = "log")`` and its printed median;
docs/methods.md#reverse-km.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from types import MappingProxyType
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from trialdesk.survival._validation import as_event_array
from trialdesk.survival.kaplan_meier import KaplanMeier, kaplan_meier, kaplan_meier_by_group

__all__ = ["FollowUp", "median_follow_up", "median_follow_up_by_group"]

logger = logging.getLogger(__name__)


class FollowUp(NamedTuple):
    """Median follow-up and its confidence limits, in the unit of the times (NaN = not reached)."""

    median: float
    lower: float
    upper: float


def median_follow_up(time: ArrayLike, event: ArrayLike, *, conf_level: float = 0.95) -> FollowUp:
    """Median follow-up by reverse Kaplan-Meier, with its confidence interval ("log" band).

    The event indicator is flipped: censorings become the events. At a time with both, the
    flipped events (the original censorings) come first, so a patient with an event at t is
    still "under follow-up" at t. The median and limits follow the ``print(survfit)`` rule
    (docs/methods.md#median).

    Examples
    --------
    >>> median_follow_up([3, 5, 7, 9], [1, 0, 0, 1]).median
    7.0
    """
    return _median_of(kaplan_meier(time, _flipped(event), conf_level=conf_level))


def median_follow_up_by_group(time: ArrayLike, event: ArrayLike, group: ArrayLike, *,
                              conf_level: float = 0.95) -> Mapping[str, FollowUp]:
    """Median follow-up per group (labels ordered as in ``kaplan_meier_by_group``)."""
    curves = kaplan_meier_by_group(time, _flipped(event), group, conf_level=conf_level)
    return MappingProxyType({label: _median_of(km) for label, km in curves.items()})


def _flipped(event: ArrayLike) -> np.ndarray:
    return 1.0 - as_event_array(event)


def _median_of(km: KaplanMeier) -> FollowUp:
    return FollowUp(km.median, *km.median_ci)
