"""``/sites``: the trial's sites (admin creates; everyone lists those they may see)."""

from __future__ import annotations

import logging

from fastapi import APIRouter

from trialdesk.api.deps import CurrentUser, DbSession, State
from trialdesk.api.errors import error_responses
from trialdesk.api.schemas.admin import SiteIn, SiteOut
from trialdesk.services.accounts import create_site, list_sites

__all__ = ["router"]

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/sites", tags=["admin"])


@router.post("", status_code=201, response_model=SiteOut,
             responses=error_responses(400, 401, 403, 409, 422))
def add_site(body: SiteIn, user: CurrentUser, db: DbSession, state: State) -> SiteOut:
    """Add a site (admin only); its code appears in its patients' ids."""
    site = create_site(db, user, body.code, body.name, trial_code=state.settings.trial_code)
    return SiteOut.model_validate(site)


@router.get("", response_model=list[SiteOut], responses=error_responses(401))
def get_sites(user: CurrentUser, db: DbSession) -> list[SiteOut]:
    """The sites the caller may see: own sites for site roles, all for the others."""
    return [SiteOut.model_validate(site) for site in list_sites(db, user)]
