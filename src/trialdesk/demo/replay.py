"""Replay a demo plan through the real services, in calendar order.

Each step is one service call in its own audited transaction, as a site would make it: the
investigator screens and randomises, the data manager records dosing, restaging scans,
adverse events, relapses, deaths and withdrawals. Steps run in date order (on one day:
screening, randomisation in the plan's order, so the service numbers patients as the plan
does, then follow-up in the plan's order); a patient's follow-up is
scheduled when the randomisation service has assigned the arm, and is the plan's follow-up
under that arm (``trialdesk.demo.plan``). The number of steps grows as arms are assigned, so
``progress(done, total)`` may see ``total`` rise.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy.orm import Session

from trialdesk.demo.plan import DemoPlan, FollowUpRecord, PlannedPatient
from trialdesk.demo.workspace import DemoDatabase
from trialdesk.services import (
    randomise,
    record_adverse_event,
    record_assessment,
    record_event,
    record_exposure,
    screen,
)

__all__ = ["Progress", "ReplayCounts", "replay_plan"]

logger = logging.getLogger(__name__)

#: Called after every step with (steps done, steps known so far).
Progress = Callable[[int, int], None]

_RECORDERS: Mapping[str, Callable[..., Any]] = {
    "exposure": record_exposure, "assessment": record_assessment, "event": record_event,
    "adverse_event": record_adverse_event}
Stage = Literal["screen", "randomise", "follow_up"]
#: Order of the stages on one day.
_STAGE_ORDER: Mapping[Stage, int] = {"screen": 0, "randomise": 1, "follow_up": 2}


@dataclass(frozen=True, slots=True)
class ReplayCounts:
    """What the replay entered: patients screened and randomised per arm, records per kind."""

    screened: int
    randomised: Mapping[str, int]
    records: Mapping[str, int]


@dataclass(order=True, frozen=True, slots=True)
class _Step:
    """One service call: ordered by day, stage, rank (randomisation number), then scheduling order."""

    day: dt.date
    stage_order: int
    rank: int
    sequence: int
    stage: Stage = field(compare=False)
    patient: PlannedPatient = field(compare=False)
    record: FollowUpRecord | None = field(default=None, compare=False)


def replay_plan(session: Session, database: DemoDatabase, plan: DemoPlan, *,
                progress: Progress | None = None) -> ReplayCounts:
    """Enter ``plan`` through the services on ``session`` (module doc)."""
    queue: list[_Step] = []
    sequence = itertools.count()

    def schedule(day: dt.date, stage: Stage, patient: PlannedPatient,
                 record: FollowUpRecord | None = None) -> None:
        rank = patient.number if stage == "randomise" and patient.number is not None else 0
        heapq.heappush(queue, _Step(day, _STAGE_ORDER[stage], rank, next(sequence), stage, patient, record))

    subject_of: dict[int, str] = {}
    randomised: dict[str, int] = {}
    records: dict[str, int] = {}
    done = 0
    for patient in plan.patients:
        schedule(patient.screening_date, "screen", patient)
    while queue:
        step = heapq.heappop(queue)
        patient = step.patient
        if step.stage == "screen":
            result = screen(session, database.investigator, patient.site, patient.screening,
                            screening_date=step.day)
            if patient.number is not None:
                subject_of[patient.number] = result.subject_id
                schedule(patient.randomisation_date, "randomise", patient)
        elif step.stage == "randomise":
            allocation = randomise(session, database.investigator, subject_of[patient.number],
                                   randomisation_date=step.day)
            randomised[allocation.arm] = randomised.get(allocation.arm, 0) + 1
            for record in plan.follow_up[allocation.arm][patient.number]:
                schedule(record.date, "follow_up", patient, record)
        else:
            _RECORDERS[step.record.kind](session, database.data_manager, subject_of[patient.number],
                                         **step.record.values)
            records[step.record.kind] = records.get(step.record.kind, 0) + 1
        done += 1
        if progress is not None:
            progress(done, done + len(queue))
    logger.info("replayed %d steps: %d screened, randomised %s", done, len(plan.patients), randomised)
    return ReplayCounts(screened=len(plan.patients), randomised=randomised, records=records)
