"""The protocol's checks on follow-up records, shared by entry and correction.

Each check takes the patient's follow-up context and a record (new, or loaded and changed
by a correction) and raises ``InputError`` for a value that can never be right, or
``ConflictError`` for one the patient's state forbids, naming the field either way:

* every record needs a randomised patient; its dates lie on or after the randomisation
  date, not in the future, not after a recorded death nor after withdrawal of consent;
* a stop date is not before its start date;
* exposure: none in an arm without treatment (RESORT observation); 0 to the planned daily
  dose (RESORT 800 mg/day); 0 mg/day exactly for an interruption and more than 0 otherwise;
  a reason for an interruption, reduction or discontinuation; dosing ends within the arm's
  maximum duration (RESORT 52 weeks) after the first dose;
* assessment: a relapse names its site, other results name none;
* event: a death names its cause; at most one death and one relapse per patient;
* adverse event: a CTCAE term, grade 1 to 5.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from trialdesk.errors import ConflictError, InputError
from trialdesk.protocol import Arm
from trialdesk.services.screening import today
from trialdesk.store.models import AdverseEvent, Assessment, Audited, Event, Exposure, Patient, Randomisation

__all__ = ["DOSE_CHANGES", "EVENT_TYPES", "SCAN_RESULTS", "FollowUp", "check_record", "follow_up"]

logger = logging.getLogger(__name__)

DOSE_CHANGES = ("start", "continue", "interruption", "reduction", "re-escalation", "discontinuation")
SCAN_RESULTS = ("no_evidence_of_disease", "relapse", "not_evaluable")
EVENT_TYPES = ("relapse", "death", "withdrawal", "lost_to_follow_up")
_CHANGES_NEEDING_REASON = frozenset({"interruption", "reduction", "discontinuation"})
_ONCE_PER_PATIENT = frozenset({"death", "relapse"})


@dataclass(frozen=True, slots=True)
class FollowUp:
    """What a record is checked against: the patient, their allocation and arm, and end dates."""

    patient: Patient
    randomisation: Randomisation
    arm: Arm
    death_date: dt.date | None


def follow_up(session: Session, patient: Patient, arm_of: dict[str, Arm]) -> FollowUp:
    """The follow-up context; ``ConflictError`` when the patient is not randomised."""
    randomisation = session.scalar(select(Randomisation).where(Randomisation.patient_id == patient.id))
    if randomisation is None:
        raise ConflictError(f"{patient.subject_id} is not randomised: follow-up records start at "
                            "randomisation", field="patient")
    death_date = session.scalar(select(func.min(Event.event_date)).where(
        Event.patient_id == patient.id, Event.event_type == "death"))
    return FollowUp(patient=patient, randomisation=randomisation, arm=arm_of[randomisation.arm],
                    death_date=death_date)


def check_record(session: Session, context: FollowUp, record: Audited) -> None:
    """Run the checks of the record's kind (module docstring); raise on the first failure."""
    checks = {Exposure: _check_exposure, Assessment: _check_assessment, Event: _check_event,
              AdverseEvent: _check_adverse_event}
    checks[type(record)](session, context, record)


def _check_date(context: FollowUp, value: dt.date | None, field: str) -> None:
    if value is None:
        return
    if not isinstance(value, dt.date):
        raise InputError("must be a date (YYYY-MM-DD)", field=field, value=value)
    if value > today():
        raise InputError("must not be in the future", field=field, value=value)
    start = context.randomisation.randomisation_date
    if value < start:
        raise ConflictError(f"must not be before randomisation ({start})", field=field, value=value)
    if context.death_date is not None and value > context.death_date:
        raise ConflictError(f"must not be after the patient's death ({context.death_date})", field=field,
                            value=value)
    withdrawn = context.patient.withdrawal_date
    if withdrawn is not None and value > withdrawn:
        raise ConflictError(f"must not be after withdrawal of consent ({withdrawn})", field=field,
                            value=value)


def _check_period(context: FollowUp, start: dt.date, stop: dt.date | None) -> None:
    _check_date(context, start, "start_date")
    _check_date(context, stop, "stop_date")
    if stop is not None and stop < start:
        raise InputError(f"must not be before the start date ({start})", field="stop_date", value=stop)


def _check_choice(value: object, choices: tuple[str, ...], field: str) -> None:
    if value not in choices:
        raise InputError(f"must be one of {', '.join(choices)}", field=field, value=value)


def _check_exposure(session: Session, context: FollowUp, exposure: Exposure) -> None:
    planned = context.arm.daily_dose_mg
    if planned is None:
        raise ConflictError(f"the {context.arm.name} arm receives no treatment: no dosing may be "
                            "recorded", field="daily_dose_mg", value=exposure.daily_dose_mg)
    _check_choice(exposure.change, DOSE_CHANGES, "change")
    _check_period(context, exposure.start_date, exposure.stop_date)
    dose = exposure.daily_dose_mg
    if not 0 <= dose <= planned:
        raise InputError(f"must be between 0 and the planned {planned:g} mg/day", field="daily_dose_mg",
                         value=dose)
    if (exposure.change == "interruption") != (dose == 0):
        raise InputError("must be 0 for an interruption and more than 0 otherwise",
                         field="daily_dose_mg", value=dose)
    if exposure.change in _CHANGES_NEEDING_REASON and not (exposure.reason or "").strip():
        raise InputError(f"is needed for a {exposure.change}", field="reason")
    if context.arm.max_duration_weeks is not None:
        others = select(func.min(Exposure.start_date)).where(Exposure.patient_id == context.patient.id)
        if exposure.id is not None:
            others = others.where(Exposure.id != exposure.id)
        first = min(filter(None, (session.scalar(others), exposure.start_date)))
        last_day = first + dt.timedelta(weeks=context.arm.max_duration_weeks) - dt.timedelta(days=1)
        end = exposure.stop_date or exposure.start_date
        if end > last_day:
            raise ConflictError(f"dosing may last at most {context.arm.max_duration_weeks:g} weeks from "
                                f"the first dose ({first}): last day {last_day}", field="stop_date",
                                value=end)


def _check_assessment(_session: Session, context: FollowUp, assessment: Assessment) -> None:
    _check_choice(assessment.result, SCAN_RESULTS, "result")
    _check_date(context, assessment.assessment_date, "assessment_date")
    has_site = bool((assessment.relapse_site or "").strip())
    if (assessment.result == "relapse") != has_site:
        raise InputError("must name the site of relapse for a relapse, and be empty otherwise",
                         field="relapse_site", value=assessment.relapse_site)


def _check_event(session: Session, context: FollowUp, event: Event) -> None:
    _check_choice(event.event_type, EVENT_TYPES, "event_type")
    _check_date(context, event.event_date, "event_date")
    if event.event_type == "death" and not (event.cause or "").strip():
        raise InputError("must give the cause of death", field="cause")
    if event.event_type in _ONCE_PER_PATIENT:
        same = select(Event.id).where(Event.patient_id == context.patient.id,
                                      Event.event_type == event.event_type)
        if event.id is not None:
            same = same.where(Event.id != event.id)
        if session.scalar(same) is not None:
            raise ConflictError(f"a {event.event_type} is already recorded for this patient",
                                field="event_type", value=event.event_type)


def _check_adverse_event(_session: Session, context: FollowUp, adverse_event: AdverseEvent) -> None:
    if not (adverse_event.term or "").strip():
        raise InputError("must name the CTCAE term", field="term")
    grade = adverse_event.grade
    if isinstance(grade, bool) or not isinstance(grade, int) or not 1 <= grade <= 5:
        raise InputError("must be a CTCAE grade 1 to 5", field="grade", value=grade)
    _check_period(context, adverse_event.start_date, adverse_event.stop_date)
    for field in ("serious", "related"):
        if not isinstance(getattr(adverse_event, field), bool):
            raise InputError("must be true or false", field=field, value=getattr(adverse_event, field))

