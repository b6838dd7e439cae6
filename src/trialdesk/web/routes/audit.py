"""The audit trail page, with filters (admin, monitor)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from trialdesk.api.deps import DbSession
from trialdesk.services.audit_trail import audit_trail
from trialdesk.web.pages import PageUser, render

__all__ = ["router"]

logger = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)


@router.get("/audit")
def audit_page(
    request: Request, user: PageUser, db: DbSession,
    table: Annotated[str | None, Query(max_length=64)] = None,
    username: Annotated[str | None, Query(max_length=64)] = None,
    row_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    since: Annotated[dt.date | None, Query()] = None,
) -> Response:
    """The newest 500 audit records matching the filters (table, user, row, from a date)."""
    since_utc = None if since is None else dt.datetime.combine(since, dt.time(), tzinfo=dt.UTC)
    entries = audit_trail(db, user, table_name=table or None, username=username or None,
                          row_id=row_id, since=since_utc)
    filters = {"table": table, "username": username, "row_id": row_id, "since": since}
    return render(request, "audit.html", {"title": "Audit trail", "entries": entries,
                                          "filters": filters}, user=user)
