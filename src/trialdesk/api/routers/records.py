"""``/patients/{id}/exposures|assessments|events|adverse-events``: follow-up records.

Each kind has the same three operations, made by one factory: ``POST`` stores a record
after the protocol's checks (409 when the patient's state forbids it, 422 for a bad value,
each naming the field), ``GET`` lists the patient's records in date order, and
``PATCH .../{record_id}`` corrects one field with a mandatory reason (audited). Also
``PATCH /patients/{id}/screening`` corrects a screening field and re-assesses eligibility,
and ``POST /patients/{id}/withdrawal`` records withdrawal of consent.

This module does not use postponed annotations: the factory's endpoint signatures name
the schema classes of each kind directly, which FastAPI reads at registration.
"""

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Path
from pydantic import BaseModel

from trialdesk.api.deps import CurrentUser, DbSession
from trialdesk.api.errors import error_responses
from trialdesk.api.routers.patients import PatientId, patient_out
from trialdesk.api.schemas._base import InputSchema, OutputSchema, Text
from trialdesk.api.schemas.patients import PatientOut
from trialdesk.api.schemas.records import (
    AdverseEventIn,
    AdverseEventOut,
    AssessmentIn,
    AssessmentOut,
    CorrectionIn,
    EventIn,
    EventOut,
    ExposureIn,
    ExposureOut,
    RecordRef,
)
from trialdesk.services.corrections import correct_record, correct_screening
from trialdesk.services.patients import RECORD_TABLE, RecordKind, RecordView, get_patient, patient_timeline
from trialdesk.services.records import (
    record_adverse_event,
    record_assessment,
    record_event,
    record_exposure,
    withdraw,
)

__all__ = ["RECORD_KINDS", "CorrectedOut", "RecordKindRoutes", "WithdrawalIn", "router"]

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/patients", tags=["follow-up"])

_WRITE_ERRORS = error_responses(400, 401, 403, 404, 409, 422)


@dataclass(frozen=True, slots=True)
class RecordKindRoutes:
    """One kind of follow-up record as the API serves it."""

    kind: RecordKind
    path: str
    title: str
    schema_in: type[InputSchema]
    schema_out: type[RecordRef]
    store: Callable[..., RecordView]


RECORD_KINDS: tuple[RecordKindRoutes, ...] = (
    RecordKindRoutes("exposure", "exposures", "dosing period", ExposureIn, ExposureOut,
                     record_exposure),
    RecordKindRoutes("assessment", "assessments", "restaging scan", AssessmentIn, AssessmentOut,
                     record_assessment),
    RecordKindRoutes("event", "events", "clinical event", EventIn, EventOut, record_event),
    RecordKindRoutes("adverse_event", "adverse-events", "adverse event", AdverseEventIn,
                     AdverseEventOut, record_adverse_event),
)


class CorrectedOut(OutputSchema):
    """The field corrected and its new value, as stored."""

    field: str
    value: dt.date | bool | int | float | str | None


class WithdrawalIn(InputSchema):
    """Withdrawal of consent: the date and the patient's stated reason."""

    withdrawal_date: dt.date
    reason: Text


def _out(spec: RecordKindRoutes, view: RecordView) -> BaseModel:
    return spec.schema_out.model_validate({"id": view.id, "patient_id": view.patient_id,
                                           **view.values})


def _add_routes(spec: RecordKindRoutes) -> None:
    schema_in, schema_out = spec.schema_in, spec.schema_out

    def add(patient_id: PatientId, body: schema_in, user: CurrentUser,  # type: ignore[valid-type]
            db: DbSession) -> Any:
        view = spec.store(db, user, patient_id, **body.model_dump())
        return _out(spec, view)

    def list_(patient_id: PatientId, user: CurrentUser, db: DbSession) -> Any:
        timeline = patient_timeline(db, user, patient_id)
        return [_out(spec, view) for view in getattr(timeline, RECORD_TABLE[spec.kind])]

    def correct(patient_id: PatientId, body: CorrectionIn, user: CurrentUser, db: DbSession,
                record_id: int = Path(ge=1, le=2**31 - 1)) -> CorrectedOut:
        value = correct_record(db, user, patient_id, spec.kind, record_id, body.field, body.value,
                               body.reason)
        return CorrectedOut(field=body.field, value=value)

    add.__doc__ = f"Record a {spec.title} for a randomised patient of your site."
    list_.__doc__ = f"The patient's {spec.title}s in date order."
    correct.__doc__ = f"Correct one field of a {spec.title}; the reason is audited."
    base = f"/{{patient_id}}/{spec.path}"
    router.add_api_route(base, add, methods=["POST"], status_code=201, response_model=schema_out,
                         responses=_WRITE_ERRORS, name=f"add_{spec.kind}")
    router.add_api_route(base, list_, methods=["GET"], response_model=list[schema_out],
                         responses=error_responses(401, 403, 404, 422), name=f"list_{spec.kind}s")
    router.add_api_route(f"{base}/{{record_id}}", correct, methods=["PATCH"],
                         response_model=CorrectedOut, responses=_WRITE_ERRORS,
                         name=f"correct_{spec.kind}")


for _spec in RECORD_KINDS:
    _add_routes(_spec)


@router.patch("/{patient_id}/screening", response_model=PatientOut, responses=_WRITE_ERRORS)
def correct_screening_field(patient_id: PatientId, body: CorrectionIn, user: CurrentUser,
                            db: DbSession) -> PatientOut:
    """Correct (or clear, with null) one screening field; eligibility is assessed again."""
    correct_screening(db, user, patient_id, body.field, body.value, body.reason)
    return patient_out(get_patient(db, user, patient_id))


@router.post("/{patient_id}/withdrawal", status_code=201, response_model=EventOut,
             responses=_WRITE_ERRORS)
def withdraw_patient(patient_id: PatientId, body: WithdrawalIn, user: CurrentUser,
                     db: DbSession) -> EventOut:
    """Record withdrawal of consent; records dated after it are refused from then on."""
    view = withdraw(db, user, patient_id, withdrawal_date=body.withdrawal_date, reason=body.reason)
    return EventOut.model_validate({"id": view.id, "patient_id": view.patient_id, **view.values})
