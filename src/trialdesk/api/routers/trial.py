"""``/trial``: the protocol summary of the served trial."""

from __future__ import annotations

import logging

from fastapi import APIRouter

from trialdesk.api.deps import CurrentUser, DbSession, State
from trialdesk.api.errors import error_responses
from trialdesk.api.schemas.trial import TrialOut, trial_out
from trialdesk.services.accounts import list_sites
from trialdesk.services.trials import protocol_of, trial_by_code

__all__ = ["router"]

logger = logging.getLogger(__name__)

router = APIRouter(tags=["trial"])


@router.get("/trial", response_model=TrialOut, responses=error_responses(401, 404))
def get_trial(user: CurrentUser, db: DbSession, state: State) -> TrialOut:
    """The trial, its protocol version, arms, strata, screening fields and criteria."""
    with db.begin():
        trial = trial_by_code(db, state.settings.trial_code)
        code, protocol = trial.code, protocol_of(trial)
    sites = [site.code for site in list_sites(db, user)]
    return trial_out(code, protocol, sites)
