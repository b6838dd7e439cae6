"""``/patients``: screen a candidate, list and read patients, randomise an eligible one."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Path, Query

from trialdesk.api.deps import CurrentUser, DbSession, State
from trialdesk.api.errors import error_responses
from trialdesk.api.schemas._base import Code
from trialdesk.api.schemas.patients import (
    PatientIn,
    PatientOut,
    RandomiseIn,
    RandomiseOut,
    ScreeningOut,
)
from trialdesk.errors import InputError
from trialdesk.services.patients import PatientView, get_patient, list_patients
from trialdesk.services.randomisation import randomise
from trialdesk.services.screening import screen

__all__ = ["PatientId", "patient_out", "router"]

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/patients", tags=["patients"])

#: A study subject id in a path, e.g. RESORT-MI01-0001.
PatientId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$",
                                description="Study subject id, e.g. RESORT-MI01-0001.")]


def patient_out(view: PatientView) -> PatientOut:
    """The response schema of a patient as the services show them."""
    return PatientOut(
        id=view.subject_id, site=view.site, eligible=view.eligible is True,
        assessable=view.eligible is not None, reasons=list(view.reasons),
        missing=list(view.missing), screening_date=view.screening_date,
        screening=dict(view.screening), randomization_number=view.randomization_number,
        randomization_date=view.randomization_date, arm=view.arm, stratum=view.stratum)


@router.post("", status_code=201, response_model=ScreeningOut,
             responses=error_responses(400, 401, 403, 404, 422))
def screen_patient(body: PatientIn, user: CurrentUser, db: DbSession, state: State) -> ScreeningOut:
    """Screen a candidate at a site: stored with a study id, eligible or not, with the reasons.

    Investigators and data managers of that site only. A missing screening field makes the
    patient not assessable (``assessable`` false, the field in ``missing``), not ineligible.
    """
    try:
        result = screen(db, user, body.site, body.screening, screening_date=body.screening_date,
                        trial_code=state.settings.trial_code)
    except InputError as exc:
        if exc.field not in body.screening:
            raise
        raise type(exc)(exc.message, field=f"screening.{exc.field}", value=exc.value,
                        hint=exc.hint) from exc  # name the field as the client sent it
    return ScreeningOut(id=result.subject_id, site=result.site, eligible=result.eligible is True,
                        assessable=result.eligible is not None, reasons=list(result.reasons),
                        missing=list(result.missing))


@router.get("", response_model=list[PatientOut], responses=error_responses(401, 403, 422))
def get_patients(user: CurrentUser, db: DbSession,
                 site: Annotated[Code | None, Query(description="Only this site.")] = None
                 ) -> list[PatientOut]:
    """The patients the caller may see (site roles: their own sites), in subject-id order."""
    return [patient_out(view) for view in list_patients(db, user, site=site)]


@router.get("/{patient_id}", response_model=PatientOut, responses=error_responses(401, 403, 404, 422))
def get_one_patient(patient_id: PatientId, user: CurrentUser, db: DbSession) -> PatientOut:
    """One patient; ``arm`` and ``stratum`` once randomised. Another site's patient is 404."""
    return patient_out(get_patient(db, user, patient_id))


@router.post("/{patient_id}/randomize", status_code=201, response_model=RandomiseOut,
             responses=error_responses(400, 401, 403, 404, 409, 422))
def randomise_patient(patient_id: PatientId, user: CurrentUser, db: DbSession,
                      body: RandomiseIn | None = None) -> RandomiseOut:
    """Randomise an eligible patient: the next allocation of their stratum, made once.

    409 when the patient is already randomised, not eligible, or outside the protocol's
    window after surgery, with a message the site can act on.
    """
    allocation = randomise(db, user, patient_id, randomisation_date=body.date if body else None)
    return RandomiseOut(randomization_number=allocation.randomization_number, arm=allocation.arm,
                        stratum=allocation.stratum)
