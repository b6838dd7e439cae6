"""``/reports/interim``: the protocol's analysis plan on the data so far (statistician)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import Field

from trialdesk.analysis.plan import run_analysis_plan
from trialdesk.api.deps import DbSession, State, StatisticianUser
from trialdesk.api.errors import error_responses
from trialdesk.api.schemas._base import OutputSchema
from trialdesk.errors import ConflictError, InputError
from trialdesk.services.extract import protocol_and_data
from trialdesk.services.screening import today

__all__ = ["InterimReportOut", "router"]

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/reports", tags=["reports"])


class InterimReportOut(OutputSchema):
    """The analysis plan's results at a data cut-off (``AnalysisResults.to_dict()``)."""

    protocol_id: str
    cutoff: dt.date
    results: dict[str, Any] = Field(description="Populations, CONSORT counts, baseline, follow-up, "
                                                "primary RFS analysis (KM, log-rank, Cox), "
                                                "subgroups, safety, dose intensity and the interim "
                                                "decision; NaN as null (docs/analysis.md).")


@router.get("/interim", response_model=InterimReportOut, responses=error_responses(401, 403, 409, 422))
def interim_report(
    user: StatisticianUser, db: DbSession, state: State,
    cutoff: Annotated[dt.date | None, Query(description="Data cut-off; default today (UTC).")] = None,
    events_planned: Annotated[float | None, Query(gt=0, le=1e6, description=(
        "Events planned for the final analysis, when the protocol's interim plan gives only "
        "information fractions."))] = None,
) -> InterimReportOut:
    """Run the protocol's analysis plan on the trial's data up to the cut-off.

    409 when the data cannot support the analysis yet (no patient randomised, an arm
    without patients, ...), naming the step that could not run.
    """
    cut = cutoff or today()
    protocol, data = protocol_and_data(db, state.settings.trial_code, cutoff=cut)
    if data.patients["randomised"].astype(bool).sum() == 0:
        raise ConflictError("no patient is randomised by the cut-off: nothing to analyse yet",
                            field="cutoff", value=cut.isoformat())
    try:
        results = run_analysis_plan(protocol, data, cutoff=cut, events_planned=events_planned)
    except InputError as exc:  # the data so far, not the request, cannot support a step
        raise ConflictError(f"the data up to the cut-off cannot support the analysis yet: {exc}",
                            field="cutoff", value=cut.isoformat()) from exc
    logger.info("interim report at %s run by %s", cut, user.username)
    return InterimReportOut(protocol_id=results.protocol_id, cutoff=cut, results=results.to_dict())
