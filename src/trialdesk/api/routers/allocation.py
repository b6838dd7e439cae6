"""``/allocation-list``: a stratum's allocation list, for the trial statistician only.

It reveals future assignments, so the service refuses every other role (allocation
concealment); permuted blocks only (minimisation has no list in advance: 409).
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Query

from trialdesk.api.deps import CurrentUser, DbSession, State
from trialdesk.api.errors import error_responses
from trialdesk.api.schemas.allocation import AllocationEntryOut, AllocationListOut
from trialdesk.services.randomisation import allocation_sequence

__all__ = ["router"]

logger = logging.getLogger(__name__)

router = APIRouter(tags=["randomisation"])


@router.get("/allocation-list", response_model=AllocationListOut,
            responses=error_responses(401, 403, 409, 422))
def get_allocation_list(
    user: CurrentUser, db: DbSession, state: State,
    stratum: Annotated[str, Query(min_length=1, max_length=200, description=(
        "Stratum label as GET /patients/{id} shows it, e.g. "
        "nephrectomy_to_metastases:>12m|disease_site:lung|lesions:single."))],
    n: Annotated[int, Query(ge=1, le=10_000, description="Entries wanted (whole blocks).")] = 20,
) -> AllocationListOut:
    """The first whole blocks of the stratum's list covering at least ``n`` entries."""
    allocation = allocation_sequence(db, user, stratum, n, trial_code=state.settings.trial_code)
    entries = [AllocationEntryOut(position=k + 1, arm=arm, block=int(block), block_size=int(size))
               for k, (arm, block, size) in enumerate(zip(allocation.arm_codes, allocation.block,
                                                          allocation.block_size, strict=True))]
    return AllocationListOut(stratum=allocation.stratum, entries=entries)
