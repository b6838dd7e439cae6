"""Patient pages: the list, the screening form (with the live eligibility check), the
patient's timeline with its entry forms."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from trialdesk.api.deps import DbSession, State
from trialdesk.api.errors import status_for
from trialdesk.api.routers.records import RECORD_KINDS
from trialdesk.api.schemas._base import Code
from trialdesk.errors import InputError, PermissionDeniedError
from trialdesk.services.actors import DATA_ENTRY_ROLES, Actor
from trialdesk.services.patients import PatientTimeline, list_patients, patient_timeline
from trialdesk.services.screening import screen, today
from trialdesk.trial.eligibility import assess_eligibility
from trialdesk.web.forms import form_fields, parse_form
from trialdesk.web.pages import CsrfForm, PageUser, render, trial_protocol

__all__ = ["TimelineItem", "router", "timeline_items"]

logger = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True, slots=True)
class TimelineItem:
    """One row of a patient's timeline."""

    date: Any
    kind: str
    text: str
    badge: str = ""


def timeline_items(timeline: PatientTimeline) -> list[TimelineItem]:
    """Screening, randomisation and every follow-up record, in date order."""
    patient = timeline.patient
    items = [TimelineItem(patient.screening_date, "screening",
                          "eligible" if patient.eligible else "; ".join(patient.reasons)
                          or "not assessable")]
    if patient.randomization_date is not None:
        items.append(TimelineItem(patient.randomization_date, "randomisation",
                                  f"no. {patient.randomization_number}: {patient.arm} "
                                  f"({patient.stratum})"))
    for view in timeline.exposures:
        v = view.values
        items.append(TimelineItem(v["start_date"], "dose", f"{v['daily_dose_mg']:g} mg/day, "
                                  f"{v['change']} until {v['stop_date'] or 'ongoing'}"
                                  + (f" ({v['reason']})" if v["reason"] else "")))
    for view in timeline.assessments:
        v = view.values
        items.append(TimelineItem(v["assessment_date"], "scan", v["result"].replace("_", " ")
                                  + (f": {v['relapse_site']}" if v["relapse_site"] else ""),
                                  "relapse" if v["result"] == "relapse" else ""))
    for view in timeline.events:
        v = view.values
        items.append(TimelineItem(v["event_date"], v["event_type"].replace("_", " "),
                                  v["cause"] or "", v["event_type"]))
    for view in timeline.adverse_events:
        v = view.values
        items.append(TimelineItem(v["start_date"], "adverse event",
                                  f"{v['term']}, grade {v['grade']}"
                                  + (", serious" if v["serious"] else "")
                                  + (", related" if v["related"] else "")))
    return sorted(items, key=lambda item: str(item.date))


@router.get("/patients")
def patients_page(request: Request, user: PageUser, db: DbSession,
                  site: Annotated[Code | None, Query()] = None) -> Response:
    """The patients the user may see, optionally of one site."""
    patients = list_patients(db, user, site=site or None)
    sites = sorted(user.sites) if user.role in DATA_ENTRY_ROLES else sorted({p.site for p in patients})
    return render(request, "patients.html", {"title": "Patients", "patients": patients,
                                             "sites": sites, "site": site}, user=user)


def _screening_values(form: Mapping[str, str], names: tuple[str, ...]) -> dict[str, str]:
    return {name: form[name] for name in names if form.get(name, "").strip()}


def _screen_page(request: Request, user: Actor, db: DbSession, state: State, *,
                 values: Mapping[str, str], assessment: Any = None, error: str | None = None,
                 status_code: int = 200) -> Response:
    if user.role not in DATA_ENTRY_ROLES:
        raise PermissionDeniedError(f"the {user.role} role may not screen patients")
    _code, protocol = trial_protocol(db, state)
    css = "" if assessment is None else ("passing" if assessment.eligible else
                                         "failing" if assessment.reasons else "incomplete")
    return render(request, "screen.html", {
        "title": "Screen a patient", "fields": protocol.screening_fields, "sites": sorted(user.sites),
        "values": values, "assessment": assessment, "assessment_class": css, "error": error},
        user=user, status_code=status_code)


@router.get("/screen")
def screen_form(request: Request, user: PageUser, db: DbSession, state: State) -> Response:
    """The screening form; failing criteria show before it is submitted."""
    return _screen_page(request, user, db, state, values={})


@router.post("/screen/check")
def check_eligibility(form: CsrfForm, user: PageUser, db: DbSession, state: State) -> JSONResponse:
    """The live check: eligibility of the form as filled so far, nothing stored."""
    _code, protocol = trial_protocol(db, state)
    names = tuple(f.name for f in protocol.screening_fields)
    try:
        assessment = assess_eligibility(protocol, protocol.parse_screening(
            _screening_values(form, names)))
    except InputError as exc:
        return JSONResponse({"eligible": False, "reasons": [], "missing": [],
                             "problem": {"field": exc.field, "message": exc.message}})
    return JSONResponse({"eligible": assessment.eligible is True, "reasons": list(assessment.reasons),
                         "missing": list(assessment.missing), "problem": None})


@router.post("/screen")
def submit_screening(request: Request, form: CsrfForm, user: PageUser, db: DbSession,
                     state: State) -> Response:
    """Check (``action=check``) or record (``action=screen``) the screening form."""
    _code, protocol = trial_protocol(db, state)
    names = tuple(f.name for f in protocol.screening_fields)
    values = _screening_values(form, names)
    try:
        if form.get("action") == "check":
            assessment = assess_eligibility(protocol, protocol.parse_screening(values))
            return _screen_page(request, user, db, state, values={**form}, assessment=assessment)
        result = screen(db, user, form.get("site", ""), values, trial_code=state.settings.trial_code)
    except InputError as exc:
        return _screen_page(request, user, db, state, values={**form}, error=str(exc),
                            status_code=422)
    return RedirectResponse(f"/patients/{result.subject_id}", status_code=303)


def _patient_page(request: Request, user: Actor, db: DbSession, state: State, patient_id: str, *,
                  error: str | None = None, status_code: int = 200) -> Response:
    timeline = patient_timeline(db, user, patient_id)
    patient = timeline.patient
    entering = user.role in DATA_ENTRY_ROLES
    _code, protocol = trial_protocol(db, state)
    dosed = patient.arm is not None and protocol.arm(patient.arm).daily_dose_mg is not None
    forms = [{"title": f"Record {'an' if spec.title[0] in 'aeiou' else 'a'} {spec.title}",
              "path": spec.path, "fields": form_fields(spec.schema_in)}
             for spec in RECORD_KINDS if dosed or spec.kind != "exposure"]
    return render(request, "patient.html", {
        "title": f"Patient {patient.subject_id}", "patient": patient,
        "timeline": timeline_items(timeline), "entry_forms": forms,
        "can_enter": entering and patient.randomization_number is not None,
        "can_randomise": entering and patient.eligible is True and patient.randomization_number is None,
        "today": today().isoformat(), "error": error}, user=user, status_code=status_code)


@router.get("/patients/{patient_id}")
def patient_page(request: Request, patient_id: str, user: PageUser, db: DbSession,
                 state: State) -> Response:
    """A patient's timeline (screening, randomisation, doses, scans, events, AEs) and entry forms.

    The dosing form shows only for an arm with study drug.
    """
    return _patient_page(request, user, db, state, patient_id)


def _add_entry_route(path: str) -> None:
    spec = next(s for s in RECORD_KINDS if s.path == path)

    def add(request: Request, patient_id: str, form: CsrfForm, user: PageUser, db: DbSession,
            state: State) -> Response:
        try:
            body = parse_form(spec.schema_in, form, source=f"{spec.title} form")
            spec.store(db, user, patient_id, **body.model_dump())
        except InputError as exc:
            return _patient_page(request, user, db, state, patient_id, error=str(exc),
                                 status_code=status_for(exc)[0])
        return RedirectResponse(f"/patients/{patient_id}", status_code=303)

    add.__doc__ = f"Store a {spec.title} from the patient page's form."
    router.add_api_route(f"/patients/{{patient_id}}/{path}", add, methods=["POST"],
                         name=f"page_add_{spec.kind}")


for _spec in RECORD_KINDS:
    _add_entry_route(_spec.path)
