"""Reading patients: one patient, the list, and a patient's timeline of records.

Site roles see only their own sites' patients; another site's patient is ``NotFoundError``
exactly like a subject id that does not exist. A patient's arm is shown once they are
randomised; nothing here reveals an assignment not yet made (allocation concealment).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from trialdesk.errors import NotFoundError
from trialdesk.services.actors import DATA_ENTRY_ROLES, READ_ALL_ROLES, Actor, require_role
from trialdesk.services.screening import MISSING_SEPARATOR, REASON_SEPARATOR
from trialdesk.store.models import (
    AdverseEvent,
    Assessment,
    Audited,
    Event,
    Exposure,
    Patient,
    Randomisation,
    Site,
)

__all__ = [
    "RECORD_DATE_FIELD",
    "RECORD_MODELS",
    "RECORD_TABLE",
    "PatientTimeline",
    "PatientView",
    "RecordKind",
    "RecordView",
    "get_patient",
    "list_patients",
    "load_patient",
    "patient_timeline",
    "record_fields",
    "record_view",
]

logger = logging.getLogger(__name__)

RecordKind = Literal["exposure", "assessment", "event", "adverse_event"]
#: The follow-up record kinds and their tables.
RECORD_MODELS: Mapping[RecordKind, type[Audited]] = {
    "exposure": Exposure, "assessment": Assessment, "event": Event, "adverse_event": AdverseEvent}
#: The date that orders each kind of record (and that a data cut-off applies to).
RECORD_DATE_FIELD: Mapping[RecordKind, str] = {
    "exposure": "start_date", "assessment": "assessment_date", "event": "event_date",
    "adverse_event": "start_date"}
#: The ``TrialData`` table, and ``PatientTimeline`` field, that holds each kind of record.
RECORD_TABLE: Mapping[RecordKind, str] = {
    "exposure": "exposures", "assessment": "assessments", "event": "events",
    "adverse_event": "adverse_events"}
_READERS = DATA_ENTRY_ROLES | READ_ALL_ROLES


@dataclass(frozen=True, slots=True)
class PatientView:
    """A patient as the caller may see them; randomisation fields are None until randomised."""

    subject_id: str
    site: str
    screening_date: dt.date
    screening: Mapping[str, Any]
    eligible: bool | None
    reasons: tuple[str, ...]
    missing: tuple[str, ...]
    withdrawal_date: dt.date | None
    randomization_number: int | None
    randomization_date: dt.date | None
    arm: str | None
    stratum: str | None


@dataclass(frozen=True, slots=True)
class RecordView:
    """One follow-up record: kind, id within its kind, subject id and its fields."""

    kind: RecordKind
    id: int
    patient_id: str
    values: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class PatientTimeline:
    """A patient with every follow-up record, each kind in date order."""

    patient: PatientView
    exposures: tuple[RecordView, ...]
    assessments: tuple[RecordView, ...]
    events: tuple[RecordView, ...]
    adverse_events: tuple[RecordView, ...]


def record_fields(model: type[Audited]) -> tuple[str, ...]:
    """The fields a user enters or corrects for a record kind (not ``id`` nor ``patient_id``)."""
    return tuple(attr.key for attr in model.__mapper__.column_attrs
                 if attr.key not in ("id", "patient_id"))


def load_patient(session: Session, actor: Actor, subject_id: str) -> tuple[Patient, Site]:
    """The patient and site, when the actor may see them; call inside a transaction.

    Raises
    ------
    PermissionDeniedError
        The actor's role reads no patient data (admin).
    NotFoundError
        No such subject id, or one of a site the actor does not see.
    """
    require_role(actor, _READERS, "read patient data")
    found = session.execute(select(Patient, Site).join(Site, Patient.site_id == Site.id)
                            .where(Patient.subject_id == subject_id)).one_or_none()
    if found is None or not actor.sees_site(found[1].code):
        raise NotFoundError(f"no patient {subject_id!r}")
    return found[0], found[1]


def _view(patient: Patient, site: Site, randomisation: Randomisation | None) -> PatientView:
    return PatientView(
        subject_id=patient.subject_id, site=site.code, screening_date=patient.screening_date,
        screening=dict(patient.screening), eligible=patient.eligible,
        reasons=tuple(r for r in patient.screen_failure_reasons.split(REASON_SEPARATOR) if r),
        missing=tuple(m for m in patient.missing_fields.split(MISSING_SEPARATOR) if m),
        withdrawal_date=patient.withdrawal_date,
        randomization_number=randomisation.number if randomisation else None,
        randomization_date=randomisation.randomisation_date if randomisation else None,
        arm=randomisation.arm if randomisation else None,
        stratum=randomisation.stratum if randomisation else None)


def get_patient(session: Session, actor: Actor, subject_id: str) -> PatientView:
    """One patient (``NotFoundError`` when missing or of a site the actor does not see)."""
    with session.begin():
        patient, site = load_patient(session, actor, subject_id)
        randomisation = session.scalar(select(Randomisation).where(Randomisation.patient_id == patient.id))
        return _view(patient, site, randomisation)


def list_patients(session: Session, actor: Actor, *, site: str | None = None) -> tuple[PatientView, ...]:
    """The patients the actor may see, optionally of one site, in subject-id order."""
    require_role(actor, _READERS, "read patient data")
    query = (select(Patient, Site, Randomisation).join(Site, Patient.site_id == Site.id)
             .outerjoin(Randomisation, Randomisation.patient_id == Patient.id)
             .order_by(Patient.subject_id))
    if site is not None:
        query = query.where(Site.code == site)
    if actor.role in DATA_ENTRY_ROLES:
        query = query.where(Site.code.in_(sorted(actor.sites)))
    with session.begin():
        return tuple(_view(*row) for row in session.execute(query))


def record_view(kind: RecordKind, record: Audited, subject_id: str) -> RecordView:
    """A stored record as callers see it."""
    values = {name: getattr(record, name) for name in record_fields(type(record))}
    return RecordView(kind=kind, id=record.id, patient_id=subject_id, values=values)


def patient_timeline(session: Session, actor: Actor, subject_id: str) -> PatientTimeline:
    """A patient and all their follow-up records (dosing, scans, events, adverse events)."""
    with session.begin():
        patient, site = load_patient(session, actor, subject_id)
        randomisation = session.scalar(select(Randomisation).where(Randomisation.patient_id == patient.id))
        records = {}
        for kind, model in RECORD_MODELS.items():
            rows = session.scalars(select(model).where(model.patient_id == patient.id)
                                   .order_by(getattr(model, RECORD_DATE_FIELD[kind]), model.id)).all()
            records[RECORD_TABLE[kind]] = tuple(record_view(kind, row, subject_id) for row in rows)
        return PatientTimeline(patient=_view(patient, site, randomisation), **records)
