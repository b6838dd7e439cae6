"""The dashboard page: enrolment, screening failures, CONSORT flow, overdue visits."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import Response

from trialdesk.api.deps import DbSession, State
from trialdesk.services.actors import DATA_ENTRY_ROLES
from trialdesk.services.extract import protocol_and_data
from trialdesk.services.screening import today
from trialdesk.web.dashboard import build_dashboard, visible_data
from trialdesk.web.pages import PageUser, render

__all__ = ["router"]

logger = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)


@router.get("/")
def dashboard_page(request: Request, user: PageUser, db: DbSession, state: State) -> Response:
    """The trial so far, over the sites the user sees (site roles: their own sites).

    Admins see the aggregate counts and charts but no patient ids (they read no patient data).
    """
    protocol, data = protocol_and_data(db, state.settings.trial_code)
    if user.role in DATA_ENTRY_ROLES:
        data = visible_data(data, user.sees_site)
    dashboard = build_dashboard(protocol, data, today=today())
    shows_patients = user.role != "admin"
    return render(request, "dashboard.html", {
        "title": "Dashboard", "trial_title": protocol.title, "today": today().isoformat(),
        "enrolment_by_arm": dashboard.enrolment_by_arm,
        "enrolment_by_site": dashboard.enrolment_by_site, "consort": dashboard.consort,
        "screen_failures": dashboard.screen_failures,
        "endpoint_events": dashboard.endpoint_events if shows_patients else (),
        "overdue": dashboard.overdue if shows_patients else ()}, user=user)
