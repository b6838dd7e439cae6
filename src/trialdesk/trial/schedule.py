"""The restaging schedule: planned visit dates and their windows.

Day 0 is the randomisation date. Restaging visit k (k = 1, 2, ...) is planned on day
``7 * (first_restaging_weeks + (k - 1) * restaging_interval_weeks)`` (RESORT: every 12 weeks,
days 84, 168, 252, ...) and is on time from ``window_days`` before to ``window_days`` after
that date, both ends included. A visit is overdue once its window has closed without an
assessment inside it.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from trialdesk.errors import InputError
from trialdesk.protocol import Protocol

__all__ = ["PlannedVisit", "match_visit", "overdue_visits", "planned_visits"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PlannedVisit:
    """Restaging visit ``number`` on ``planned_date`` (day ``day``), on time within the window."""

    number: int
    day: int
    planned_date: dt.date
    window_start: dt.date
    window_end: dt.date

    def contains(self, date: dt.date) -> bool:
        """Whether ``date`` lies in the visit window (ends included)."""
        return self.window_start <= date <= self.window_end


def _visit(protocol: Protocol, randomisation_date: dt.date, number: int) -> PlannedVisit:
    schedule = protocol.visit_schedule
    day = 7 * (schedule.first_weeks + (number - 1) * schedule.restaging_interval_weeks)
    planned = randomisation_date + dt.timedelta(days=day)
    window = dt.timedelta(days=schedule.window_days)
    return PlannedVisit(number=number, day=day, planned_date=planned,
                        window_start=planned - window, window_end=planned + window)


def planned_visits(protocol: Protocol, randomisation_date: dt.date, *, until: dt.date
                   ) -> tuple[PlannedVisit, ...]:
    """Every restaging visit planned on or before ``until``, in order."""
    if until < randomisation_date:
        raise InputError("must not be before the randomisation date", field="until", value=until)
    visits = []
    number = 1
    while (visit := _visit(protocol, randomisation_date, number)).planned_date <= until:
        visits.append(visit)
        number += 1
    return tuple(visits)


def match_visit(protocol: Protocol, randomisation_date: dt.date, assessment_date: dt.date
                ) -> tuple[PlannedVisit, bool]:
    """The planned visit nearest to an assessment (earlier one on a tie) and whether it is on time."""
    if assessment_date < randomisation_date:
        raise InputError("must not be before the randomisation date", field="assessment_date",
                         value=assessment_date)
    schedule = protocol.visit_schedule
    days = (assessment_date - randomisation_date).days
    offset = (days - 7 * schedule.first_weeks) / (7 * schedule.restaging_interval_weeks)
    candidates = {max(1, int(offset) + 1 + shift) for shift in (-1, 0, 1)}
    visit = min((_visit(protocol, randomisation_date, n) for n in candidates),
                key=lambda v: (abs(v.day - days), v.number))
    return visit, visit.contains(assessment_date)


def overdue_visits(protocol: Protocol, randomisation_date: dt.date,
                   assessment_dates: Iterable[dt.date], *, today: dt.date) -> tuple[PlannedVisit, ...]:
    """Visits whose window closed before ``today`` with no assessment inside the window."""
    done = sorted(assessment_dates)
    return tuple(visit for visit in planned_visits(protocol, randomisation_date, until=today)
                 if visit.window_end < today and not any(visit.contains(d) for d in done))
