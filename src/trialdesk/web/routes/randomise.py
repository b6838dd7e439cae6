"""Randomisation pages: a confirmation step, the allocation, a printable confirmation."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from trialdesk.api.deps import DbSession, State
from trialdesk.api.errors import status_for
from trialdesk.errors import InputError
from trialdesk.services.actors import Actor
from trialdesk.services.patients import get_patient
from trialdesk.services.randomisation import randomise
from trialdesk.services.screening import today
from trialdesk.trial.strata import derive_stratum
from trialdesk.web.pages import CsrfForm, PageUser, render, trial_protocol

__all__ = ["router"]

logger = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)


@router.get("/patients/{patient_id}/randomize")
def confirm_randomisation(request: Request, patient_id: str, user: PageUser, db: DbSession,
                          state: State, date: Annotated[dt.date | None, Query()] = None) -> Response:
    """Ask for confirmation, showing the patient, the stratum and the randomisation date."""
    patient = get_patient(db, user, patient_id)
    if patient.randomization_number is not None:
        return RedirectResponse(f"/patients/{patient_id}/confirmation", status_code=303)
    _code, protocol = trial_protocol(db, state)
    stratum = derive_stratum(protocol, protocol.parse_screening(patient.screening))
    return render(request, "randomise_confirm.html", {
        "title": f"Randomise {patient_id}", "patient": patient, "stratum": stratum.label,
        "randomisation_date": (date or today()).isoformat()}, user=user)


@router.post("/patients/{patient_id}/randomize")
def randomise_confirmed(request: Request, patient_id: str, form: CsrfForm, user: PageUser,
                        db: DbSession) -> Response:
    """Randomise once confirmed; then show the printable confirmation."""
    if form.get("confirmed") != "yes":
        return RedirectResponse(f"/patients/{patient_id}/randomize", status_code=303)
    try:
        randomisation_date = dt.date.fromisoformat(form["date"]) if form.get("date") else None
        randomise(db, user, patient_id, randomisation_date=randomisation_date)
    except InputError as exc:  # a ConflictError too
        return _not_possible(request, user, str(exc), status_for(exc)[0])
    except ValueError:
        return _not_possible(request, user, "date: must be YYYY-MM-DD", 422)
    return RedirectResponse(f"/patients/{patient_id}/confirmation", status_code=303)


def _not_possible(request: Request, user: Actor, message: str, status_code: int) -> Response:
    return render(request, "error.html", {"title": "Randomisation not possible", "message": message},
                  user=user, status_code=status_code)


@router.get("/patients/{patient_id}/confirmation")
def randomisation_confirmation(request: Request, patient_id: str, user: PageUser, db: DbSession,
                               state: State) -> Response:
    """The printable randomisation confirmation (print styles hide navigation and buttons)."""
    patient = get_patient(db, user, patient_id)
    if patient.randomization_number is None:
        return RedirectResponse(f"/patients/{patient_id}", status_code=303)
    _code, protocol = trial_protocol(db, state)
    return render(request, "confirmation.html", {
        "title": f"Randomisation of {patient_id}", "patient": patient, "trial_title": protocol.title,
        "printed_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")}, user=user)
