"""``/audit``: the audit trail with filters (admin, monitor)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Annotated

from fastapi import APIRouter, Query

from trialdesk.api.deps import AuditReader, DbSession
from trialdesk.api.errors import error_responses
from trialdesk.api.schemas._base import Code
from trialdesk.api.schemas.audit import AuditEntryOut
from trialdesk.services.audit_trail import audit_trail

__all__ = ["router"]

logger = logging.getLogger(__name__)

router = APIRouter(tags=["audit"])


@router.get("/audit", response_model=list[AuditEntryOut], responses=error_responses(401, 403, 422))
def get_audit(
    user: AuditReader, db: DbSession,
    table: Annotated[Code | None, Query(description="Only this table (e.g. patients).")] = None,
    row_id: Annotated[int | None, Query(ge=1, le=2**31 - 1, description="Only this row.")] = None,
    username: Annotated[Code | None, Query(description="Only changes by this user.")] = None,
    since: Annotated[dt.datetime | None, Query(description="Only changes at or after (UTC).")] = None,
    before_seq: Annotated[int | None, Query(ge=1, description="Page: records before this seq.")]
        = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[AuditEntryOut]:
    """Audit records, newest first; page backwards with ``before_seq`` = the last ``seq`` seen."""
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=dt.UTC)
    entries = audit_trail(db, user, table_name=table, row_id=row_id, username=username, since=since,
                          limit=limit, before_seq=before_seq)
    return [AuditEntryOut.model_validate(entry) for entry in entries]
