"""Recording follow-up: dosing periods, restaging scans, clinical events, adverse events, withdrawal.

Each call is one transaction: the patient is looked up (own sites only), the record checked
against the protocol (``trialdesk.services.record_rules``) and stored with its audit records.
Field names and codes are those of ``TrialData`` (``trialdesk.trial.data``); dates are
calendar dates, doses mg per day, grades CTCAE 1-5.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from trialdesk.errors import ConflictError, InputError
from trialdesk.protocol import Arm
from trialdesk.services.actors import DATA_ENTRY_ROLES, Actor, require_role
from trialdesk.services.patients import (
    RECORD_MODELS,
    RecordKind,
    RecordView,
    load_patient,
    record_fields,
    record_view,
)
from trialdesk.services.record_rules import FollowUp, check_record, follow_up
from trialdesk.services.trials import protocol_of
from trialdesk.store.audit import audited_transaction
from trialdesk.store.models import Audited, Event, Patient, Trial

__all__ = [
    "add_record",
    "coerce_field",
    "patient_follow_up",
    "record_adverse_event",
    "record_assessment",
    "record_event",
    "record_exposure",
    "withdraw",
]

logger = logging.getLogger(__name__)

_DEFAULTS: Mapping[RecordKind, Mapping[str, object]] = {
    "exposure": {"change": "start"}, "adverse_event": {"serious": False, "related": False}}


def coerce_field(model: type[Audited], field: str, value: object) -> object:
    """``value`` as the column's Python type: ISO text to a date, ``"3"`` to 3, ...; None stays None.

    Raises
    ------
    InputError
        An unknown field of the record kind, or a value that is not of the field's type.
    """
    if field not in record_fields(model):
        raise InputError(f"is not a field of {model.__tablename__}", field=field,
                         hint=f"fields are {', '.join(record_fields(model))}")
    if value is None:
        return None
    python_type = model.__table__.columns[field].type.python_type
    try:
        if python_type is dt.date:
            return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
        if python_type is bool:
            if isinstance(value, bool):
                return value
            return {"true": True, "false": False}[str(value).strip().lower()]
        if python_type is int and isinstance(value, float) and not value.is_integer():
            raise ValueError(value)
        return value if isinstance(value, str) and python_type is str else python_type(value)
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"must be of type {python_type.__name__}", field=field, value=value) from exc


def patient_follow_up(session: Session, actor: Actor, subject_id: str) -> FollowUp:
    """The visible, randomised patient's follow-up context (inside a transaction)."""
    patient, _site = load_patient(session, actor, subject_id)
    protocol = protocol_of(session.get_one(Trial, patient.trial_id))
    arms: dict[str, Arm] = {arm.code: arm for arm in protocol.arms}
    return follow_up(session, patient, arms)


def add_record(session: Session, actor: Actor, subject_id: str, kind: RecordKind,
               values: Mapping[str, Any]) -> RecordView:
    """Store one follow-up record of ``kind`` for a randomised patient, after the protocol's checks.

    Raises
    ------
    PermissionDeniedError
        The actor does not enter data.
    NotFoundError
        No such patient, or one of another site.
    InputError, ConflictError
        A check of ``record_rules`` failed (``field`` names the field).
    """
    require_role(actor, DATA_ENTRY_ROLES, f"record {kind.replace('_', ' ')}s")
    model = RECORD_MODELS[kind]
    typed = {**_DEFAULTS.get(kind, {}), **{f: coerce_field(model, f, v) for f, v in values.items()}}
    with audited_transaction(session, actor.audit_context(f"record {kind.replace('_', ' ')}")):
        context = patient_follow_up(session, actor, subject_id)
        record = model(patient_id=context.patient.id,
                       **{field: typed.get(field) for field in record_fields(model)})
        check_record(session, context, record)
        session.add(record)
        session.flush()
        view = record_view(kind, record, subject_id)
    logger.info("%s %d recorded for %s", kind, view.id, subject_id)
    return view


def record_exposure(session: Session, actor: Actor, subject_id: str, *, start_date: dt.date,
                    daily_dose_mg: float, stop_date: dt.date | None = None, change: str = "start",
                    reason: str | None = None) -> RecordView:
    """A dosing period (inclusive dates, mg/day; 0 mg/day for an interruption)."""
    return add_record(session, actor, subject_id, "exposure", {
        "start_date": start_date, "stop_date": stop_date, "daily_dose_mg": daily_dose_mg,
        "change": change, "reason": reason})


def record_assessment(session: Session, actor: Actor, subject_id: str, *, assessment_date: dt.date,
                      result: str, relapse_site: str | None = None) -> RecordView:
    """A restaging scan: no_evidence_of_disease, relapse (with its site) or not_evaluable."""
    return add_record(session, actor, subject_id, "assessment", {
        "assessment_date": assessment_date, "result": result, "relapse_site": relapse_site})


def record_event(session: Session, actor: Actor, subject_id: str, *, event_date: dt.date,
                 event_type: str, cause: str | None = None) -> RecordView:
    """A clinical event: relapse, death (with cause), withdrawal, lost_to_follow_up.

    A withdrawal goes through ``withdraw`` (``cause`` is its reason), so it also closes follow-up.
    """
    if event_type == "withdrawal":
        return withdraw(session, actor, subject_id, withdrawal_date=event_date, reason=cause or "")
    return add_record(session, actor, subject_id, "event", {
        "event_date": event_date, "event_type": event_type, "cause": cause})


def record_adverse_event(session: Session, actor: Actor, subject_id: str, *, term: str, grade: int,
                         start_date: dt.date, stop_date: dt.date | None = None, serious: bool = False,
                         related: bool = False) -> RecordView:
    """An adverse event: CTCAE term, grade 1-5, dates, seriousness, relation to treatment."""
    return add_record(session, actor, subject_id, "adverse_event", {
        "term": term, "grade": grade, "start_date": start_date, "stop_date": stop_date,
        "serious": serious, "related": related})


def withdraw(session: Session, actor: Actor, subject_id: str, *, withdrawal_date: dt.date,
             reason: str) -> RecordView:
    """Withdrawal of consent: records the event (cause = ``reason``) and closes follow-up.

    Records dated after ``withdrawal_date`` are refused afterwards.

    Raises
    ------
    InputError
        No reason given (``field="reason"``), or a bad date.
    ConflictError
        The patient is not randomised or has withdrawn already.
    """
    require_role(actor, DATA_ENTRY_ROLES, "withdraw patients")
    if not reason.strip():
        raise InputError("is needed to withdraw a patient", field="reason")
    with audited_transaction(session, actor.audit_context(f"withdrawal of consent: {reason}")):
        context = patient_follow_up(session, actor, subject_id)
        patient: Patient = context.patient
        if patient.withdrawal_date is not None:
            raise ConflictError(f"{subject_id} withdrew consent on {patient.withdrawal_date}",
                                field="patient")
        event = Event(patient_id=patient.id, event_date=withdrawal_date, event_type="withdrawal",
                      cause=reason)
        check_record(session, context, event)
        patient.withdrawal_date = withdrawal_date
        session.add(event)
        session.flush()
        view = record_view("event", event, subject_id)
    logger.info("%s withdrew consent", subject_id)
    return view
